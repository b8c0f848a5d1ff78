// Joining as a camera: the code from the director's screen (or the QR link's ?code=), and a label the
// director will see. The join is kept for this browser tab, so a reload is the same camera, not a new one.
import { JOIN_CODE_LENGTH, JoinRequestSchema, parse, type JoinResponse } from '../../../protocol/index.ts';
import { ApiClient } from '../lib/api-client.ts';
import { describeError } from '../lib/api-error.ts';
import { h, setText } from '../lib/dom.ts';

const STORAGE_KEY = 'pitchside:camera-join';
const JOIN_PATH = '/api/join';

export function savedJoin(code: string | null): JoinResponse | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as {
      code: string;
      join: JoinResponse;
    } | null;
    if (saved === null || (code !== null && saved.code !== code.toUpperCase())) return null;
    return saved.join;
  } catch {
    return null;
  }
}

export function forgetJoin(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Shows the join form; resolves once the controller has registered this camera. */
export function joinForm(container: HTMLElement, initialCode: string | null): Promise<JoinResponse> {
  return new Promise((resolve) => {
    const code = h('input', {
      id: 'join-code',
      value: initialCode ?? '',
      // Room for the spaces or dashes someone types while reading a code aloud (they are dropped).
      maxlength: JOIN_CODE_LENGTH * 2,
      autocapitalize: 'characters',
      autocomplete: 'off',
      placeholder: 'ABCDE 23456',
      inputmode: 'text',
      'aria-label': 'Join code',
    });
    const label = h('input', {
      id: 'join-label',
      maxlength: 64,
      placeholder: 'e.g. North stand',
      'aria-label': 'Camera name',
    });
    const message = h('p', { class: 'join-message', id: 'join-message', role: 'alert' });
    const button = h('button', { type: 'submit', class: 'go join-button', id: 'join-button' }, 'Join as camera');
    const form = h(
      'form',
      { class: 'join-form' },
      h('h1', {}, 'Join as a camera'),
      h('label', {}, 'Join code', code),
      h('label', {}, 'Camera name (the director sees it)', label),
      button,
      message,
    );
    container.replaceChildren(form);
    (initialCode === null ? code : label).focus();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = {
        code: code.value.replace(/[\s-]+/g, '').toUpperCase(),
        ...(label.value.trim() === '' ? {} : { label: label.value.trim() }),
      };
      const checked = parse(JoinRequestSchema, body);
      if (!checked.ok) {
        setText(
          message,
          checked.error.field === '/code'
            ? `The join code is ${JOIN_CODE_LENGTH} letters or digits, as shown on the director screen.`
            : `${checked.error.field}: ${checked.error.message}`,
        );
        return;
      }
      button.disabled = true;
      setText(message, 'Joining…');
      new ApiClient({ key: '' })
        .post<JoinResponse>(JOIN_PATH, checked.value)
        .then((join) => {
          sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ code: checked.value.code, join }));
          resolve(join);
        })
        .catch((error: unknown) => {
          button.disabled = false;
          setText(message, describeError(error));
        });
    });
  });
}
