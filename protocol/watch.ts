// What the public viewer page may know about an event: its public channel ids (for the embedded players)
// and whether it is upcoming, live or over. Nothing here is a secret; stream keys never come near it.
import { Type, type Static } from '@sinclair/typebox';
import { EventIdSchema } from './wire.ts';
import type { OutputStatusMessage } from './jobs.ts';

/** A YouTube live video id (11 characters) or channel id (UC + 22 characters). */
export const YOUTUBE_ID_PATTERN = '^([A-Za-z0-9_-]{11}|UC[A-Za-z0-9_-]{22})$';
export const TWITCH_CHANNEL_PATTERN = '^[A-Za-z0-9_]{3,25}$';

export const EventChannelsSchema = Type.Object(
  {
    youtube: Type.Optional(
      Type.String({ pattern: YOUTUBE_ID_PATTERN, description: 'YouTube live video id or channel id (UC…).' }),
    ),
    twitch: Type.Optional(Type.String({ pattern: TWITCH_CHANNEL_PATTERN, description: 'Twitch channel name.' })),
  },
  { additionalProperties: false },
);
export type EventChannels = Static<typeof EventChannelsSchema>;

export const EVENT_STATUSES = ['upcoming', 'live', 'ended'] as const;
export const EventStatusSchema = Type.Union(EVENT_STATUSES.map((s) => Type.Literal(s)));
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** GET /api/events/:id/watch, and the `watch` WebSocket frame whenever status or channels change. */
export const WatchInfoSchema = Type.Object(
  {
    eventId: EventIdSchema,
    name: Type.String(),
    channels: EventChannelsSchema,
    status: EventStatusSchema,
    /**
     * The self-hosted player's playlist (an URL path on the controller; add the viewer key as `?key=`
     * unless the event is public), while an HLS destination is live.
     */
    playlist: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type WatchInfo = Static<typeof WatchInfoSchema>;

export const WatchMessageSchema = Type.Object(
  { type: Type.Literal('watch'), eventId: EventIdSchema, watch: WatchInfoSchema },
  { additionalProperties: false },
);
export type WatchMessage = Static<typeof WatchMessageSchema>;

/**
 * The event's status from the program output's last status (the worker keeps it in Redis): live while a
 * destination (sent or served) is live (or retrying: a reconnect is a hiccup, not the end); ended once one was and
 * none is; upcoming before any stream destination went live. A recording alone is not public.
 */
export function eventStatusOf(output: OutputStatusMessage | null): EventStatus {
  const streams = output?.outputs.filter((o) => o.kind !== 'recording') ?? [];
  if (streams.some((o) => o.state === 'live' || o.state === 'retrying')) return 'live';
  if (streams.some((o) => o.state === 'stopped' || o.state === 'failed')) return 'ended';
  return 'upcoming';
}

/** The playlist of the first live (or briefly retrying) HLS destination, if any. */
export function livePlaylistOf(output: OutputStatusMessage | null): string | undefined {
  return output?.outputs.find((o) => o.kind === 'hls' && (o.state === 'live' || o.state === 'retrying'))?.target;
}
