// The program's latest meter reading per event, in this process's memory. The output renderer's page
// reports about ten times a second; the socket route PUBLISHes each report once on the realtime channel
// (pub/sub only: nothing is stored in Redis), so operators on any controller process get it. Here each
// process keeps the reading it last relayed, for obs-websocket's InputVolumeMeters, and decides which
// renderer to believe when two report: the recorder (it writes the recording) over Egress.
import {
  AUDIO_METER_STALE_MS,
  OUTPUT_AUDIO_RENDERERS,
  type AudioMeters,
  type AudioMetersMessage,
} from '../../protocol/index.ts';
import type { RealtimeHub, RelayedFrame } from './realtime-hub.ts';

export type MeterListener = (relayed: RelayedFrame & { frame: AudioMetersMessage }) => void;

interface Reading {
  frame: AudioMetersMessage;
  /** This process's clock when the reading arrived (the reading's own `at` is the page's estimate). */
  receivedAt: number;
}

interface EventMeters {
  listeners: Set<MeterListener>;
  latest: Reading | null;
  unsubscribe: () => void;
}

/** The renderer's rank: lower is more trusted. */
function rank(frame: AudioMetersMessage): number {
  return OUTPUT_AUDIO_RENDERERS.indexOf(frame.renderer);
}

export class AudioMeterBoard {
  readonly #events = new Map<string, EventMeters>();

  constructor(
    private readonly hub: RealtimeHub,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Hear one event's preferred readings (an Egress reading while the recorder reports is left out).
   * Returns the unsubscribe function; the board listens to the event only while someone does.
   */
  subscribe(eventId: string, listener: MeterListener): () => void {
    const entry = this.#events.get(eventId) ?? this.#listen(eventId);
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size > 0 || this.#events.get(eventId) !== entry) return;
      entry.unsubscribe();
      this.#events.delete(eventId);
    };
  }

  /** The event's latest preferred reading if it is recent, else null (no output renderer is reporting). */
  latest(eventId: string): AudioMeters | null {
    const reading = this.#events.get(eventId)?.latest ?? null;
    return reading !== null && this.#fresh(reading) ? reading.frame.meters : null;
  }

  close(): void {
    for (const entry of this.#events.values()) entry.unsubscribe();
    this.#events.clear();
  }

  #listen(eventId: string): EventMeters {
    const entry: EventMeters = { listeners: new Set(), latest: null, unsubscribe: () => {} };
    entry.unsubscribe = this.hub.subscribe(eventId, (relayed) => this.#heard(entry, relayed));
    this.#events.set(eventId, entry);
    return entry;
  }

  #fresh(reading: Reading): boolean {
    return this.clock() - reading.receivedAt < AUDIO_METER_STALE_MS;
  }

  #heard(entry: EventMeters, relayed: RelayedFrame): void {
    const { frame } = relayed;
    if (frame.type !== 'audio.meters') return;
    const current = entry.latest;
    if (current !== null && this.#fresh(current) && rank(frame) > rank(current.frame)) return;
    entry.latest = { frame, receivedAt: this.clock() };
    for (const listener of entry.listeners) listener({ frame, text: relayed.text });
  }
}
