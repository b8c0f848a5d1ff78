// Hole 1 (issue 22): the chat session was derived from the `?chat=` value the client sent, so a new value
// escaped the per-person rate limit, a moderator's block and slow mode — and the secret sat in the access
// log. Sessions are now issued by the server with a signed ticket bound to the event, the client's address
// and its key, offered back as a WebSocket subprotocol; limits also count per address and per key, and a
// block covers the addresses the blocked session posted from.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  CHAT_ADDRESS_RATE_LIMIT,
  CHAT_KEY_RATE_LIMIT,
  CHAT_RATE_LIMIT,
  CHAT_TICKET_PROTOCOL_PREFIX,
  EVENT_SOCKET_PROTOCOL,
} from '../../protocol/index.ts';
import { listen, seedEvent, testApp } from '../controller/controller-helpers.ts';

interface Frame {
  type: string;
  [k: string]: unknown;
}

interface ChatClient {
  session: string;
  ticket: string;
  /** Sends one chat message; resolves with the error code, or null when it was posted. */
  say(text: string): Promise<string | null>;
  /** A moderator's block of a session. */
  block(session: string): Promise<string | null>;
  close(): void;
}

/** A socket on the event as a chat page opens it: `?chat=` as the old page sent it, a ticket as the new. */
async function chatClient(
  host: string,
  key: string,
  options: { chat?: string; ticket?: string } = {},
): Promise<ChatClient> {
  const query = options.chat === undefined ? '' : `&chat=${options.chat}`;
  const protocols =
    options.ticket === undefined ? [] : [EVENT_SOCKET_PROTOCOL, `${CHAT_TICKET_PROTOCOL_PREFIX}${options.ticket}`];
  const socket = new WebSocket(`ws://${host}/api/events/match/ws?key=${encodeURIComponent(key)}${query}`, protocols);
  const waiting = new Map<string, (frame: Frame) => void>();
  const history = new Promise<Frame>((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as Frame;
      if (frame.type === 'chat.history') resolve(frame);
      if (frame.type === 'result') waiting.get(frame['id'] as string)?.(frame);
    });
    socket.once('error', reject);
    socket.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
  const { session, ticket } = (await history) as Frame & { session: string; ticket: string };
  const ask = async (frame: Record<string, unknown>): Promise<string | null> => {
    const id = randomUUID();
    const answer = new Promise<Frame>((resolve) => waiting.set(id, resolve));
    socket.send(JSON.stringify({ ...frame, id }));
    const result = (await answer) as Frame & { ok: boolean; error?: { code: string } };
    return result.ok ? null : (result.error?.code ?? 'UNKNOWN');
  };
  return {
    session,
    ticket,
    say: (text) => ask({ type: 'chat.send', name: 'Viewer', text }),
    block: (target) => ask({ type: 'chat.block', session: target }),
    close: () => socket.close(),
  };
}

async function chatApp() {
  const app = await testApp();
  const keys = await seedEvent(app);
  return { app, host: await listen(app), viewer: keys.viewer!.key, director: keys.director!.key };
}

describe('chat identity issued by the server', () => {
  it('a new `?chat=` value buys neither a new session nor a fresh rate limit', async () => {
    const { host, viewer } = await chatApp();
    const first = await chatClient(host, viewer, { chat: 'first-secret-0123456789' });
    for (let i = 0; i < CHAT_RATE_LIMIT; i++) expect(await first.say(`hello ${i}`)).toBeNull();
    expect(await first.say('one too many')).toBe('CHAT_RATE_LIMITED');
    // The client's value picks nothing: the same value twice is two sessions.
    const again = await chatClient(host, viewer, { chat: 'first-secret-0123456789' });
    expect(again.session).not.toBe(first.session);
    // Fresh sessions from the same address share its limit: the escape the hole allowed is closed.
    let posted = CHAT_RATE_LIMIT;
    let refused: string | null = null;
    for (let n = 0; refused === null && n < CHAT_ADDRESS_RATE_LIMIT; n++) {
      const next = await chatClient(host, viewer, { chat: `secret-${n}-0123456789abcdef` });
      for (let i = 0; refused === null && i < CHAT_RATE_LIMIT; i++) {
        refused = await next.say(`new me ${n}.${i}`);
        if (refused === null) posted++;
      }
      next.close();
    }
    expect(refused).toBe('CHAT_RATE_LIMITED');
    expect(posted).toBeLessThanOrEqual(CHAT_ADDRESS_RATE_LIMIT);
  });

  it('a ticket resumes its session for the same key only, and a forged one is ignored', async () => {
    const { host, viewer, director } = await chatApp();
    const first = await chatClient(host, viewer);
    first.close();
    const resumed = await chatClient(host, viewer, { ticket: first.ticket });
    expect(resumed.session).toBe(first.session);
    // Another key (here the director's) does not take the viewer's session with it.
    expect((await chatClient(host, director, { ticket: first.ticket })).session).not.toBe(first.session);
    // A session spliced into a ticket breaks its signature.
    const [body, signature] = first.ticket.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { s: string };
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, s: 'deadbeefdeadbeef' })).toString('base64url');
    const forged = await chatClient(host, viewer, { ticket: `${forgedBody}.${signature}` });
    expect(forged.session).not.toBe('deadbeefdeadbeef');
  });

  it("a moderator's block holds across reconnects, with or without the ticket", async () => {
    const { host, viewer, director } = await chatApp();
    const troll = await chatClient(host, viewer, { chat: 'troll-secret-0123456789' });
    expect(await troll.say('rude')).toBeNull();
    // Another viewer on the same address (a venue's NAT) whose session predates the block.
    const neighbour = await chatClient(host, viewer);
    const moderator = await chatClient(host, director);
    expect(await moderator.block(troll.session)).toBeNull();
    expect(await troll.say('still here')).toBe('CHAT_BLOCKED');
    troll.close();
    const withTicket = await chatClient(host, viewer, { ticket: troll.ticket });
    expect(await withTicket.say('back')).toBe('CHAT_BLOCKED');
    const fresh = await chatClient(host, viewer, { chat: 'another-secret-0123456789' });
    expect(await fresh.say('new me')).toBe('CHAT_BLOCKED');
    expect(await neighbour.say('not me')).toBeNull();
    // The moderator is not blocked by its own block.
    expect(await moderator.say('carry on')).toBeNull();
  });

  it('counts per key too: the whole audience shares the viewer key’s pace', async () => {
    const { app, viewer } = await chatApp();
    const keyId = (await app.apiKeys.resolve(viewer))!.keyId;
    const sender = (n: number) => ({
      session: `${n}`.padStart(16, '0'),
      addressTag: `address-${n}`,
      issuedAt: Date.now(),
      keyId,
      role: 'viewer' as const,
    });
    // A different session and address each time: only the key's limit can stop them.
    for (let n = 0; n < CHAT_KEY_RATE_LIMIT; n++) await app.chat.send('match', sender(n), 'Viewer', `hi ${n}`);
    await expect(app.chat.send('match', sender(CHAT_KEY_RATE_LIMIT), 'Viewer', 'one more')).rejects.toMatchObject({
      code: 'CHAT_BUSY',
    });
  });
});
