// An event with a feed key, and the calls the feed tests make through the real API.
import type { FastifyInstance } from 'fastify';
import type { FeedConfigPatch, ProgramState } from '../../protocol/index.ts';
import { admin, bearer, seedEvent, testApp } from '../controller/controller-helpers.ts';

export interface FeedTestEvent {
  app: FastifyInstance;
  eventId: string;
  feedKey: string;
  keys: Record<string, string>;
  post(packet: unknown, key?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  command(command: object, role?: string): Promise<ProgramState>;
  configure(patch: FeedConfigPatch): Promise<void>;
  state(): Promise<ProgramState>;
}

export async function feedEvent(eventId = 'match'): Promise<FeedTestEvent> {
  const app = await testApp();
  const keys = Object.fromEntries(Object.entries(await seedEvent(app, eventId)).map(([role, k]) => [role, k.key]));
  const made = await app.inject({ method: 'POST', url: `/api/events/${eventId}/feed/key`, headers: admin() });
  if (made.statusCode !== 200) throw new Error(`feed key: ${made.statusCode} ${made.body}`);
  const feedKey = made.json<{ key: { key: string } }>().key.key;
  return {
    app,
    eventId,
    feedKey,
    keys,
    async post(packet: unknown, key = feedKey) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/feed`,
        headers: bearer(key),
        payload: packet as object,
      });
      return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
    },
    async command(command: object, role = 'graphics') {
      const res = await app.inject({
        method: 'POST',
        url: `/api/events/${eventId}/commands`,
        headers: bearer(keys[role]!),
        payload: command,
      });
      if (res.statusCode !== 200) throw new Error(`${JSON.stringify(command)}: ${res.statusCode} ${res.body}`);
      return res.json<{ state: ProgramState }>().state;
    },
    async configure(patch: FeedConfigPatch) {
      const res = await app.inject({
        method: 'PUT',
        url: `/api/events/${eventId}/feed/config`,
        headers: admin(),
        payload: patch,
      });
      if (res.statusCode !== 200) throw new Error(`feed config: ${res.statusCode} ${res.body}`);
    },
    async state() {
      return app.program.requireState(eventId);
    },
  };
}
