// The chat beside the Pitchside player (protocol/chat.ts). A viewer picks a name (kept in this browser)
// and sends one line at a time; a director or admin opening the watch page gets delete, block and slow
// mode. Every message is put in as text (textContent), never as markup.
import {
  CHAT_HISTORY,
  CHAT_NAME_MAX,
  CHAT_TEXT_MAX,
  CHAT_TICKET_PROTOCOL_PREFIX,
  type ChatEntry,
  type ChatSettings,
  type ResultMessage,
} from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { h, setText } from '../lib/dom.ts';

const NAME_STORAGE = 'pitchside.chat.name';
const TICKET_STORAGE = 'pitchside.chat.ticket';
/** Messages kept on the page: the history plus what arrives during a long match. */
const MAX_SHOWN = CHAT_HISTORY * 4;
const SLOW_MODE_CHOICES = [0, 5, 15, 30, 60, 120];
/** An answer that does not come (the link dropped) is given up on after this long. */
const ANSWER_TIMEOUT_MS = 10_000;

/**
 * The subprotocol the watch page's socket offers beside the key's: the chat ticket the server last issued to
 * this browser (protocol/chat.ts ChatTicketSchema) keeps its chat session across reloads. A header, never
 * the URL.
 */
export function chatProtocols(): string[] {
  const ticket = localStorage.getItem(TICKET_STORAGE);
  return ticket === null ? [] : [`${CHAT_TICKET_PROTOCOL_PREFIX}${ticket}`];
}

export class ChatPanel {
  readonly element: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #name: HTMLInputElement;
  readonly #text: HTMLInputElement;
  readonly #status: HTMLElement;
  readonly #slow: HTMLElement;
  readonly #tools: HTMLElement;
  #moderator = false;
  #session = '';
  #next = 0;
  readonly #pending = new Map<string, (result: ResultMessage) => void>();

  constructor(private readonly realtime: RealtimeClient) {
    this.#list = h('ol', { class: 'chat-messages', id: 'chat-messages', 'aria-live': 'polite' });
    this.#name = h('input', {
      id: 'chat-name',
      class: 'chat-name',
      maxlength: CHAT_NAME_MAX,
      placeholder: 'Your name',
      autocomplete: 'nickname',
      'aria-label': 'Your name in the chat',
    });
    this.#name.value = localStorage.getItem(NAME_STORAGE) ?? '';
    this.#text = h('input', {
      id: 'chat-text',
      class: 'chat-text',
      maxlength: CHAT_TEXT_MAX,
      placeholder: 'Say something',
      autocomplete: 'off',
      'aria-label': 'Message',
    });
    this.#status = h('p', { class: 'chat-status muted', id: 'chat-status', role: 'status' });
    this.#slow = h('span', { class: 'chat-slow muted', id: 'chat-slow' });
    this.#tools = h('div', { class: 'chat-tools', hidden: true });
    const form = h(
      'form',
      { class: 'chat-form', id: 'chat-form' },
      this.#name,
      this.#text,
      h('button', { type: 'submit', id: 'chat-send' }, 'Send'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#send();
    });
    this.element = h(
      'section',
      { class: 'chat-panel', id: 'chat-panel', 'aria-label': 'Chat' },
      h('div', { class: 'row chat-head' }, h('h2', {}, 'Chat'), this.#slow),
      this.#tools,
      this.#list,
      form,
      this.#status,
    );
    realtime.handle({
      'chat.history': (frame) => {
        this.#session = frame.session;
        localStorage.setItem(TICKET_STORAGE, frame.ticket);
        this.#setModerator(frame.moderator);
        this.#showSettings(frame.settings);
        this.#list.replaceChildren(...frame.messages.map((m) => this.#item(m)));
        this.#list.scrollTop = this.#list.scrollHeight;
      },
      'chat.message': (frame) => this.#append(frame.message),
      'chat.deleted': (frame) => {
        for (const id of frame.ids) this.#list.querySelector(`li[data-id="${CSS.escape(id)}"]`)?.remove();
      },
      'chat.settings': (frame) => this.#showSettings(frame.settings),
      result: (frame) => {
        this.#pending.get(frame.id)?.(frame);
        this.#pending.delete(frame.id);
      },
    });
  }

  async #send(): Promise<void> {
    const name = this.#name.value.trim();
    const text = this.#text.value.trim();
    if (name === '') {
      setText(this.#status, 'Pick a name first.');
      this.#name.focus();
      return;
    }
    if (text === '') return;
    localStorage.setItem(NAME_STORAGE, name);
    const result = await this.#ask((id) => ({ type: 'chat.send', id, name, text }));
    if (result.ok) {
      this.#text.value = '';
      setText(this.#status, '');
    } else {
      setText(this.#status, result.error?.message ?? 'Not sent.');
    }
  }

  /** Sends a chat frame and waits for its `result`. */
  #ask(frame: (id: string) => Parameters<RealtimeClient['send']>[0]): Promise<ResultMessage> {
    const id = `chat-${++this.#next}`;
    return new Promise((resolve) => {
      const giveUp = (message: string): void => {
        this.#pending.delete(id);
        resolve({ type: 'result', id, ok: false, error: { code: 'OFFLINE', message } });
      };
      if (!this.realtime.send(frame(id))) return giveUp('Not connected: try again in a moment.');
      const timer = setTimeout(() => giveUp('No answer: try again.'), ANSWER_TIMEOUT_MS);
      this.#pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  }

  #append(message: ChatEntry): void {
    const atBottom = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 40;
    this.#list.append(this.#item(message));
    while (this.#list.children.length > MAX_SHOWN) this.#list.firstElementChild?.remove();
    if (atBottom) this.#list.scrollTop = this.#list.scrollHeight;
  }

  #item(message: ChatEntry): HTMLLIElement {
    const name = h('span', { class: 'chat-author' });
    name.textContent = message.name;
    const text = h('span', { class: 'chat-body' });
    text.textContent = message.text;
    const item = h(
      'li',
      {
        'data-id': message.id,
        'data-session': message.session,
        class: `chat-message role-${message.role}${message.session === this.#session ? ' own' : ''}`,
      },
      name,
      message.role === 'viewer' ? null : h('span', { class: 'chat-badge' }, 'crew'),
      text,
    );
    if (this.#moderator) item.append(this.#moderation(message));
    return item;
  }

  #moderation(message: ChatEntry): HTMLElement {
    const act = (label: string, frame: (id: string) => Parameters<RealtimeClient['send']>[0]) =>
      h(
        'button',
        {
          type: 'button',
          class: `chat-${label.toLowerCase()}`,
          onclick: () =>
            void this.#ask(frame).then((r) => !r.ok && setText(this.#status, r.error?.message ?? 'Refused.')),
        },
        label,
      );
    return h(
      'span',
      { class: 'chat-moderation' },
      act('Delete', (id) => ({ type: 'chat.delete', id, message: message.id })),
      message.role === 'viewer' ? act('Block', (id) => ({ type: 'chat.block', id, session: message.session })) : null,
    );
  }

  #setModerator(moderator: boolean): void {
    if (moderator === this.#moderator) return;
    this.#moderator = moderator;
    this.#tools.hidden = !moderator;
    if (!moderator) return;
    const select = h('select', { id: 'chat-slow-mode', 'aria-label': 'Slow mode' });
    select.append(
      ...SLOW_MODE_CHOICES.map((s) => h('option', { value: String(s) }, s === 0 ? 'Slow mode off' : `One per ${s} s`)),
    );
    select.addEventListener('change', () => {
      void this.#ask((id) => ({ type: 'chat.slow', id, seconds: Number(select.value) }));
    });
    this.#tools.replaceChildren(h('span', { class: 'muted' }, 'Moderation'), select);
  }

  #showSettings(settings: ChatSettings): void {
    setText(
      this.#slow,
      settings.slowModeSeconds === 0 ? '' : `Slow mode: one message every ${settings.slowModeSeconds} s`,
    );
    const select = this.#tools.querySelector('select');
    if (select !== null) select.value = String(settings.slowModeSeconds);
  }
}
