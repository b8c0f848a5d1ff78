// A feed kind that connects out (a scoreboard controller, a polled URL): started when the producer sets it as
// the event's source, closed when the source changes or the controller stops. It speaks through its options.
import type { EventLogLevel, FeedPacket } from '../../../protocol/index.ts';

export interface FeedConnectorOptions {
  /** A packet of the feed's values, mapped and committed like a push (the promise settles once it is). */
  packet(packet: FeedPacket): Promise<void>;
  /** A connection change, for the event log. */
  status(level: EventLogLevel, message: string): void;
}

export interface FeedConnector {
  start(): void;
  close(): Promise<void>;
}
