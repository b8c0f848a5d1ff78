// Upcoming, live or ended, from the program output's job status frames (protocol/jobs.ts) that the
// controller relays: live while any output is live, ended once the output job completed.
import { OutputStatusMessageSchema, parse } from '../../../protocol/index.ts';
import type { OtherFrame } from '../lib/realtime-client.ts';

export type EventStatus = 'upcoming' | 'live' | 'ended';

export function statusFromFrame(frame: OtherFrame, previous: EventStatus): EventStatus {
  if (frame.type !== 'job.output') return previous;
  const parsed = parse(OutputStatusMessageSchema, frame);
  if (!parsed.ok) return previous;
  const message = parsed.value;
  if (message.outputs.some((o) => o.state === 'live')) return 'live';
  if (message.state === 'completed' || message.state === 'failed') return previous === 'upcoming' ? 'upcoming' : 'ended';
  return previous;
}
