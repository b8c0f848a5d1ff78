// Messages to the operator, in words: errors stay until dismissed (an operator may be looking at the
// program monitor when one arrives), information fades by itself.
import { describeError } from './api-error.ts';
import { h } from './dom.ts';

export const INFO_VISIBLE_MS = 4000;
const MAX_NOTICES = 5;

export type NoticeKind = 'error' | 'warning' | 'info';

let container: HTMLElement | null = null;

function area(): HTMLElement {
  if (container === null) {
    container = h('div', { class: 'notices', role: 'log', 'aria-live': 'assertive' });
    document.body.append(container);
  }
  return container;
}

export function notify(kind: NoticeKind, text: string): HTMLElement {
  const list = area();
  const close = h('button', { class: 'notice-close', type: 'button', 'aria-label': 'Dismiss' }, '×');
  const notice = h(
    'div',
    { class: `notice notice-${kind}`, 'data-kind': kind },
    h('span', { class: 'notice-text' }, text),
    close,
  );
  close.addEventListener('click', () => notice.remove());
  list.append(notice);
  while (list.children.length > MAX_NOTICES) list.firstElementChild?.remove();
  if (kind === 'info') setTimeout(() => notice.remove(), INFO_VISIBLE_MS);
  return notice;
}

export function notifyError(error: unknown, what?: string): void {
  const text = describeError(error);
  notify('error', what === undefined ? text : `${what}: ${text}`);
}

/** Runs an operator action and shows its failure; resolves to undefined when it failed. */
export async function attempt<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    notifyError(error, what);
    return undefined;
  }
}
