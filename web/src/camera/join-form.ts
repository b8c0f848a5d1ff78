// Joining by code: the code from the director's screen (or the QR link's ?code=), what to join as (a camera,
// or a commentary seat: sound only, on its own page) and a label the director will see. A camera's join is
// kept for this browser tab, so a reload is the same camera, not a new one; a seat's page lives at its link.
import {
  COMMENTARY_PAGE_PATH,
  pageLink,
  CommentaryJoinResponseSchema,
  JOIN_CODE_LENGTH,
  JoinRequestSchema,
  parse,
  type JoinAs,
  type JoinResponse,
} from '../../../protocol/index.ts';
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

/** What the form says for each choice: its heading, the name field's label and the button. */
const JOIN_AS_WORDS: Record<JoinAs, { heading: string; name: string; button: string; placeholder: string }> = {
  camera: {
    heading: 'Join as a camera',
    name: 'Camera name (the director sees it)',
    button: 'Join as camera',
    placeholder: 'e.g. North stand',
  },
  commentary: {
    heading: 'Join as a commentator',
    name: 'Your name (the director sees it)',
    button: 'Join as commentator',
    placeholder: 'e.g. Lead commentator',
  },
};

/** A seat's own page, where a commentary join continues (the seat's link, as the director hands it out). */
function commentaryPageUrl(eventId: string, key: string): string {
  return pageLink(COMMENTARY_PAGE_PATH, { event: eventId }, { key });
}

/**
 * Shows the join form; resolves once the controller has registered this camera. Joined as commentary, the
 * page moves to the seat's own page instead (and the promise never resolves).
 */
export function joinForm(
  container: HTMLElement,
  initialCode: string | null,
  initialAs: JoinAs = 'camera',
): Promise<JoinResponse> {
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
    const button = h('button', { type: 'submit', class: 'go join-button', id: 'join-button' });
    const heading = h('h1', {});
    const nameText = h('span', {});
    const radio = (value: JoinAs): HTMLInputElement =>
      h('input', { type: 'radio', name: 'join-as', id: `join-as-${value}`, value, checked: value === initialAs });
    const asCamera = radio('camera');
    const asCommentary = radio('commentary');
    const choice = (): JoinAs => (asCommentary.checked ? 'commentary' : 'camera');
    const showChoice = (): void => {
      const words = JOIN_AS_WORDS[choice()];
      setText(heading, words.heading);
      setText(nameText, words.name);
      setText(button, words.button);
      label.placeholder = words.placeholder;
      label.setAttribute('aria-label', words.name);
    };
    for (const input of [asCamera, asCommentary]) input.addEventListener('change', showChoice);
    showChoice();
    const form = h(
      'form',
      { class: 'join-form' },
      heading,
      h('label', {}, 'Join code', code),
      h(
        'fieldset',
        { class: 'join-as' },
        h('legend', {}, 'Join as'),
        h('label', { class: 'check' }, asCamera, 'Camera'),
        h('label', { class: 'check' }, asCommentary, 'Commentary: my voice, no picture'),
      ),
      h('label', {}, nameText, label),
      button,
      message,
    );
    container.replaceChildren(form);
    (initialCode === null ? code : label).focus();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const as = choice();
      const body = {
        code: code.value.replace(/[\s-]+/g, '').toUpperCase(),
        ...(label.value.trim() === '' ? {} : { label: label.value.trim() }),
        ...(as === 'commentary' ? { as } : {}),
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
        .post<unknown>(JOIN_PATH, checked.value)
        .then((answer) => {
          if (as === 'commentary') {
            const seat = parse(CommentaryJoinResponseSchema, answer);
            if (!seat.ok) throw new Error(`Unreadable join answer: ${seat.error.message}`);
            location.assign(commentaryPageUrl(seat.value.eventId, seat.value.key));
            return;
          }
          const join = answer as JoinResponse;
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
