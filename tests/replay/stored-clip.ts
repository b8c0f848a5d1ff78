// A replay clip stored as the replay API stores a marked one, for tests that put a replay on program by a
// command (a command plays only a clip as stored) and never load its media, so none is made.
import type { FastifyInstance } from 'fastify';
import type { ReplayClipRef } from '../../protocol/index.ts';
import type { StoredClip } from '../../controller/services/replay-clips.ts';

export async function storeClip(app: FastifyInstance, eventId: string, clip: ReplayClipRef): Promise<void> {
  const stored: StoredClip = { ...clip, status: 'ready', createdAt: Date.now(), version: 1 };
  await app.redis.hset(app.redisKeys.replayClips(eventId), clip.id, JSON.stringify(stored));
}
