// The one apply path for program state on the template: the controller's WebSocket (through the shared
// realtime client, which already orders a connection's revisions) and LiveKit data messages both land
// here. Only a higher revision replaces what is shown, except a connection's snapshot, which replaces
// it always (after a Redis restore the controller's revision can be lower, and the panels follow it).
import { parse, StateMessageSchema, type ProgramState, type StateMessage } from '../../protocol/index.ts';

export type OfferResult = 'applied' | 'stale' | 'wrong-event' | 'invalid';

export interface StateStoreOptions {
  eventId: string;
  /** Told about every state that replaced the previous one. */
  onApplied?: (state: ProgramState) => void;
}

export class StateStore {
  #state: ProgramState | null = null;
  readonly #options: StateStoreOptions;
  readonly counts: Record<OfferResult | 'snapshot', number> = {
    applied: 0,
    stale: 0,
    'wrong-event': 0,
    invalid: 0,
    snapshot: 0,
  };

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
    if (result === 'applied' && parsed.ok) this.#options.onApplied?.(parsed.value.state);
    return result;
  }

  /**
   * A state from the controller's socket, already checked: a connection's snapshot is the authority's
   * word whatever its revision; any later one applies only above what is shown.
   */
  accept(state: ProgramState, snapshot: boolean): OfferResult | 'snapshot' {
    const result = snapshot ? 'snapshot' : this.#advance(state);
    if (snapshot) this.#state = state;
    this.counts[result] += 1;
    if (result !== 'stale') this.#options.onApplied?.(state);
    return result;
  }

  #offerMessage(message: StateMessage): OfferResult {
    if (message.eventId !== this.#options.eventId) return 'wrong-event';
    return this.#advance(message.state);
  }

  #advance(state: ProgramState): 'applied' | 'stale' {
    // Equal revision is a duplicate (the same frame by the other transport); lower is out of order.
    if (this.#state !== null && state.revision <= this.#state.revision) return 'stale';
    this.#state = state;
    return 'applied';
  }
}
