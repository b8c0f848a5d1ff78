// The one apply path for program state: the controller's WebSocket and LiveKit data messages both land
// here, and only a higher revision of the same event replaces what is shown.
import { parse, StateMessageSchema, type ProgramState, type StateMessage } from '../../protocol/index.ts';

export type OfferResult = 'applied' | 'stale' | 'wrong-event' | 'invalid';

export interface StateStoreOptions {
  eventId: string;
  /** Told about every state that replaced the previous one. */
  onApplied?: (state: ProgramState, message: StateMessage) => void;
}

export class StateStore {
  #state: ProgramState | null = null;
  readonly #options: StateStoreOptions;
  readonly counts: Record<OfferResult, number> = { applied: 0, stale: 0, 'wrong-event': 0, invalid: 0 };

  constructor(options: StateStoreOptions) {
    this.#options = options;
  }

  get state(): ProgramState | null {
    return this.#state;
  }

  /** Offer a frame from any transport; unparsed input is checked against the wire schema first. */
  offer(input: unknown): OfferResult {
    const parsed = parse(StateMessageSchema, input);
    const result = parsed.ok ? this.#offerMessage(parsed.value) : 'invalid';
    this.counts[result] += 1;
    if (result === 'applied' && parsed.ok) this.#options.onApplied?.(parsed.value.state, parsed.value);
    return result;
  }

  #offerMessage(message: StateMessage): OfferResult {
    if (message.eventId !== this.#options.eventId) return 'wrong-event';
    // Equal revision is a duplicate (the same frame by the other transport); lower is out of order.
    if (this.#state !== null && message.state.revision <= this.#state.revision) return 'stale';
    this.#state = message.state;
    return 'applied';
  }
}
