// Egress status reaches the worker from LiveKit's webhooks: the controller receives and verifies them
// (WebhookReceiver needs the raw body) and calls forwardEgressWebhook; the EgressSession that owns the
// egress listens on one Redis channel and keeps only its own egress ids.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../protocol/index.ts';
import { EgressInfo, EgressStatus, StreamInfo_Status, type WebhookEvent } from '@livekit/protocol';
import type { EgressUpdate } from '../protocol/index.ts';

export type { EgressUpdate };

export function egressUpdateFromInfo(info: EgressInfo): EgressUpdate {
  return {
    egressId: info.egressId,
    roomName: info.roomName,
    status: EgressStatus[info.status],
    error: info.error,
    startedAtMs: info.startedAt > 0n ? Number(info.startedAt / 1_000_000n) : null,
    streams: info.streamResults.map((s) => ({
      url: s.url,
      status: StreamInfo_Status[s.status],
      error: s.error,
    })),
    files: info.fileResults.map((f) => f.location || f.filename).filter((f) => f !== ''),
  };
}

/** Controller side: call with every verified webhook event; non-egress events are ignored. */
export async function forwardEgressWebhook(redis: Redis, keys: RedisKeys, event: WebhookEvent): Promise<boolean> {
  if (!event.event.startsWith('egress_') || event.egressInfo === undefined) return false;
  await redis.publish(keys.egressUpdatesChannel(), JSON.stringify(egressUpdateFromInfo(event.egressInfo)));
  return true;
}
