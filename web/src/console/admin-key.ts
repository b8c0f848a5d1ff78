// How the admin key reaches the console: `npm start` prints /console#key=KEY. The fragment never leaves the
// browser (no access log, no Referer); the page moves it into this tab's session storage and takes it out
// of the address bar (lib/link-key.ts, as every operator page does), so a shared screen or a bookmark does
// not carry it.
import { WhoAmISchema, parse } from '../../../protocol/index.ts';
import { ApiClient } from '../lib/api-client.ts';
import { describeError } from '../lib/api-error.ts';
import { h } from '../lib/dom.ts';
import { takeLinkKey } from '../lib/link-key.ts';

const STORAGE_KEY = 'pitchside:admin-key';

/** The key from the link (fragment, or a `?key=` link) or this tab's session; null when there is none. */
export function takeAdminKey(): string | null {
  return takeLinkKey(STORAGE_KEY);
}

export function forgetAdminKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Resolves when the key is the admin's; otherwise says why. */
export async function checkAdminKey(key: string): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    const me = parse(WhoAmISchema, await new ApiClient({ key }).get<unknown>('/api/me'));
    if (!me.ok) return { ok: false, message: 'The controller answered in a way this page does not understand.' };
    if (me.value.role !== 'admin')
      return { ok: false, message: `That is a ${me.value.role} key: the console needs the admin key.` };
    return { ok: true };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}

/** The sign-in card: paste the admin key (it is in the `admin:` link `npm start` prints). */
export function signInForm(message: string, onKey: (key: string) => void): HTMLElement {
  const input = h('input', {
    id: 'admin-key-input',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'psadm_…',
    'aria-describedby': 'admin-key-message',
  });
  const form = h(
    'form',
    { class: 'sign-in panel', id: 'sign-in' },
    h('h1', {}, 'Pitchside · Event console'),
    h(
      'p',
      { class: 'muted' },
      'Open the ',
      h('code', {}, 'admin:'),
      ' link that ',
      h('code', {}, 'npm start'),
      ' prints, or paste the admin key (PITCHSIDE_ADMIN_KEY, or the admin-key file in the data directory).',
    ),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Admin key'), input),
    h('p', { class: 'field-message', id: 'admin-key-message', role: 'alert' }, message),
    h('button', { type: 'submit', class: 'primary' }, 'Open the console'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim() !== '') onKey(input.value.trim());
  });
  queueMicrotask(() => input.focus());
  return form;
}
