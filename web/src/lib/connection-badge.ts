// The connection state every page shows in its top bar: an operator must know at a glance whether what
// they see is live.
import { h, setText } from './dom.ts';
import type { ConnectionStatus, RealtimeClient } from '../../../client/index.ts';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting',
  online: 'Live link',
  reconnecting: 'Reconnecting',
  closed: 'Offline',
};

export function connectionBadge(client: RealtimeClient): HTMLElement {
  const label = h('span', { class: 'connection-label' });
  const badge = h(
    'span',
    { class: 'connection', role: 'status', 'aria-live': 'polite' },
    h('span', { class: 'connection-dot' }),
    label,
  );
  const show = (status: ConnectionStatus, detail: string): void => {
    badge.dataset.status = status;
    badge.title = detail;
    setText(label, status === 'online' ? LABELS.online : `${LABELS[status]}: ${detail}`);
    document.body.dataset.connection = status;
  };
  show(client.status, 'Not started');
  client.on('status', show);
  return badge;
}
