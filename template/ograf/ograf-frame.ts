// One OGraf instance on this page: a sandboxed iframe running the controller's host page, which runs the
// graphic. Calls go one at a time, in state order, each with a time limit; a call that fails or runs out of
// time ends the frame and is reported once (the controller then unloads the instance everywhere).
import {
  OGRAF_HOST_PATH,
  ografFilePath,
  type OGrafHostCall,
  type OGrafHostReply,
  type OGrafInstance,
} from '../../protocol/index.ts';

/** load() may fetch the graphic's module, images and fonts. */
export const OGRAF_LOAD_TIMEOUT_MS = 10_000;
/** An action resolves when its animation has played (OGraf): a few seconds at most for a broadcast graphic. */
export const OGRAF_ACTION_TIMEOUT_MS = 5_000;

type CallBody = OGrafHostCall extends infer C ? (C extends OGrafHostCall ? Omit<C, 'call'> : never) : never;

export interface OGrafFrameOptions {
  container: HTMLElement;
  width: number;
  height: number;
  /** Called once when the graphic threw, refused or did not answer in time. */
  onFailure(message: string): void;
}

/** What this frame has been told to show (the calls already queued), compared with each new state. */
interface Applied {
  status: OGrafInstance['status'];
  step: number | null;
  changedAt: number;
  data: string;
}

export class OGrafFrame {
  readonly iframe: HTMLIFrameElement;
  readonly loadedAt: number;
  #applied: Applied | null = null;
  #queue: Promise<void>;
  #nextCall = 1;
  #failed = false;
  #closed = false;
  readonly #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #options: OGrafFrameOptions;
  readonly #onMessage = (event: MessageEvent): void => this.#handle(event);

  constructor(instance: OGrafInstance, options: OGrafFrameOptions) {
    this.#options = options;
    this.loadedAt = instance.loadedAt;
    const iframe = document.createElement('iframe');
    // Scripts only: no allow-same-origin (the graphic's origin is opaque: no access to this page, its
    // storage or its key), no forms, popups or top navigation. The host page's CSP forbids connections.
    iframe.setAttribute('sandbox', 'allow-scripts');
    iframe.setAttribute('aria-hidden', 'true');
    iframe.dataset['instance'] = instance.id;
    // The layer is the output's size; the frame fills it, see-through where the graphic draws nothing.
    iframe.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;border:0;background:transparent';
    this.iframe = iframe;
    const ready = new Promise<void>((resolve, reject) => {
      this.#pending.set(0, { resolve, reject });
    });
    window.addEventListener('message', this.#onMessage);
    iframe.src = OGRAF_HOST_PATH;
    options.container.appendChild(iframe);
    this.#queue = this.#limited(ready, OGRAF_LOAD_TIMEOUT_MS, 'the host page').then(() =>
      this.#call(
        {
          type: 'load',
          main: ografFilePath(instance.graphic.id, instance.graphic.main),
          data: instance.data,
          width: options.width,
          height: options.height,
        },
        OGRAF_LOAD_TIMEOUT_MS,
      ),
    );
    this.#queue.catch(() => undefined);
    // A page that opens mid-show goes straight to the step on air, without the animation into it.
    this.#applied = { status: 'loaded', step: null, changedAt: instance.loadedAt, data: JSON.stringify(instance.data) };
    this.sync(instance, true);
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Queues the calls that bring the graphic to the instance's state. */
  sync(instance: OGrafInstance, catchingUp = false): void {
    const applied = this.#applied;
    if (applied === null || this.#failed || this.#closed) return;
    const data = JSON.stringify(instance.data);
    const skipAnimation = catchingUp;
    if (data !== applied.data) this.#enqueue({ type: 'updateAction', data: instance.data, skipAnimation });
    const moved = instance.status !== applied.status || instance.step !== applied.step;
    // A zero-step graphic plays in and out by itself: every play is an action, though the state looks the same.
    const replayed =
      instance.graphic.stepCount === 0 && instance.changedAt !== applied.changedAt && data === applied.data;
    if (instance.status === 'playing' && (moved || replayed)) {
      const target = instance.step === null ? {} : { goto: instance.step };
      this.#enqueue({ type: 'playAction', ...target, skipAnimation });
    } else if (instance.status === 'stopped' && applied.status === 'playing') {
      this.#enqueue({ type: 'stopAction', skipAnimation });
    }
    this.#applied = { status: instance.status, step: instance.step, changedAt: instance.changedAt, data };
  }

  /** dispose() (briefly: a graphic that hangs there is removed anyway), then the frame goes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#failed) {
      const disposing = this.#queue.then(() => this.#call({ type: 'dispose' }, OGRAF_ACTION_TIMEOUT_MS));
      await disposing.catch(() => undefined);
    }
    this.#remove();
  }

  #enqueue(body: CallBody): void {
    this.#queue = this.#queue.then(() => this.#call(body, OGRAF_ACTION_TIMEOUT_MS));
    this.#queue.catch(() => undefined);
  }

  #call(body: CallBody, timeoutMs: number): Promise<void> {
    if (this.#failed) return Promise.reject(new Error('failed'));
    const call = this.#nextCall++;
    const done = new Promise<void>((resolve, reject) => this.#pending.set(call, { resolve, reject }));
    this.iframe.contentWindow?.postMessage({ ...body, call }, '*');
    return this.#limited(done, timeoutMs, `${body.type}()`).finally(() => this.#pending.delete(call));
  }

  #limited(promise: Promise<void>, timeoutMs: number, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    }).catch((error: unknown) => {
      this.#fail(error instanceof Error ? error.message : String(error));
      throw error;
    });
  }

  #handle(event: MessageEvent): void {
    // Only this frame's window speaks for it; the graphic runs there too, so it can only speak for itself.
    if (event.source !== this.iframe.contentWindow) return;
    const reply = event.data as OGrafHostReply;
    if (typeof reply !== 'object' || reply === null) return;
    if (reply.type === 'ready') this.#pending.get(0)?.resolve();
    else if (reply.type === 'done') this.#pending.get(reply.call)?.resolve();
    else if (reply.type === 'failed') this.#pending.get(reply.call)?.reject(new Error(String(reply.message)));
    else if (reply.type === 'fault') this.#fail(`the graphic threw: ${String(reply.message)}`);
  }

  #fail(message: string): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    for (const pending of this.#pending.values()) pending.reject(new Error(message));
    this.#remove();
    this.#options.onFailure(message.slice(0, 300));
  }

  #remove(): void {
    window.removeEventListener('message', this.#onMessage);
    this.iframe.remove();
  }
}
