// The obs-websocket v5 listener: its own port (OBS_WEBSOCKET_PORT, 4455 like OBS), both subprotocols,
// the spec's challenge authentication with an event key as the password. Each socket becomes an
// ObsSession once identified; the sessions do the mapping. The door keeps the event WebSocket's limits,
// counted together with it: connection slots per address and flood cooldowns (app.sockets), the frame
// budget, and failed passwords (app.authFailures, with HTTP's failed keys).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  OBS_RPC_VERSION,
  OBS_STUDIO_VERSION,
  OBS_SUBPROTOCOL_JSON,
  OBS_SUBPROTOCOL_MSGPACK,
  OBS_WEBSOCKET_VERSION,
  ObsCloseCode,
  ObsEventSubscription,
  ObsFrameSchema,
  ObsIdentifySchema,
  ObsOpCode,
  parse,
  type KeyRevocation,
  type EventRole,
  type ObsFrame,
  WS_CLOSE,
} from '../../protocol/index.ts';
import { addressKey, tooManyFailures } from '../plugins/auth.ts';
import { closeOverBudget, rawDataBytes } from '../services/frame-budget.ts';
import { ObsSession } from './obs-session.ts';

/** Requests and batches are small; a bigger frame is a mistake or an attack. */
export const OBS_MAX_PAYLOAD_BYTES = 64 * 1024;
/** A socket that has not identified by then is closed: it holds a challenge and a slot for nothing. */
export const OBS_IDENTIFY_TIMEOUT_MS = 10_000;
/** Event keys that may drive Pitchside as a control surface; graphics keys only reach graphics commands. */
const OBS_ROLES: readonly EventRole[] = ['director', 'graphics'];

export interface ObsWebSocketServerOptions {
  app: FastifyInstance;
  /** The obs-websocket component's logger (a child of the app's). */
  log: FastifyBaseLogger;
  host: string;
  /** 0 = any free port (tests). */
  port: number;
}

export interface ObsConnection {
  send(op: number, d: Record<string, unknown>): void;
  close(code: number, reason: string): void;
}

export class ObsWebSocketServer {
  readonly #app: FastifyInstance;
  readonly #options: ObsWebSocketServerOptions;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<ObsSession>();
  #stopRevocations: (() => void) | null = null;

  constructor(options: ObsWebSocketServerOptions) {
    this.#app = options.app;
    this.#options = options;
    this.#http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('obs-websocket: connect with a WebSocket client\n');
    });
    this.#wss = new WebSocketServer({
      server: this.#http,
      path: '/',
      maxPayload: OBS_MAX_PAYLOAD_BYTES,
      // The client's order of preference wins; a client that offers neither gets JSON (the spec's default).
      handleProtocols: (offered) =>
        [...offered].find((p) => p === OBS_SUBPROTOCOL_JSON || p === OBS_SUBPROTOCOL_MSGPACK) ?? false,
    });
    // The peer itself: the control room's network reaches this port directly, through no proxy.
    this.#wss.on('connection', (socket, request) =>
      this.#accept(socket, addressKey(request.socket.remoteAddress ?? '')),
    );
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    // A rotated key or a deleted event ends its control surfaces at once, on every controller process.
    this.#stopRevocations = this.#app.realtime.onRevocation((revocation) => this.#revoke(revocation));
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#options.port, this.#options.host, () => resolve());
    });
    return (this.#http.address() as AddressInfo).port;
  }

  /** Tells every identified client OBS is exiting (ExitStarted), then closes the sockets and the port. */
  async close(): Promise<void> {
    for (const session of this.#sessions) session.exit();
    this.#sessions.clear();
    for (const socket of this.#wss.clients) socket.close(1001, 'Pitchside is shutting down');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    this.#stopRevocations?.();
  }

  #revoke(revocation: KeyRevocation): void {
    for (const session of this.#sessions) {
      if (session.eventId !== revocation.eventId) continue;
      if ('all' in revocation || revocation.keyIds.includes(session.keyId)) session.revoke();
    }
  }

  #accept(socket: WebSocket, address: string): void {
    const claim = this.#app.sockets.claimAddress(address);
    if (!claim.ok) {
      socket.close(WS_CLOSE.TOO_MANY, claim.reason);
      return;
    }
    socket.once('close', claim.release);
    const budget = this.#app.sockets.frameBudget();
    const binary = socket.protocol === OBS_SUBPROTOCOL_MSGPACK;
    const connection: ObsConnection = {
      send: (op, d) => {
        if (socket.readyState !== socket.OPEN) return;
        socket.send(binary ? encode({ op, d }) : JSON.stringify({ op, d }), { binary });
      },
      close: (code, reason) => socket.close(code, reason),
    };
    const salt = randomBytes(32).toString('base64');
    const challenge = randomBytes(32).toString('base64');
    let session: ObsSession | null = null;
    let identifying = false;
    const identifyTimer = setTimeout(
      () => connection.close(ObsCloseCode.NotIdentified, 'Identify not received in time'),
      OBS_IDENTIFY_TIMEOUT_MS,
    );

    socket.on('message', (data, isBinary) => {
      if (socket.readyState !== socket.OPEN) return;
      if (!budget.take(rawDataBytes(data))) {
        this.#app.sockets.overBudget(address);
        closeOverBudget(socket);
        return;
      }
      const frame = parseFrame(data, isBinary, binary);
      if (frame === null) {
        connection.close(ObsCloseCode.MessageDecodeError, 'Frame is not a valid obs-websocket message');
        return;
      }
      if (session !== null) {
        session.handle(frame);
        return;
      }
      if (frame.op !== ObsOpCode.Identify) {
        connection.close(ObsCloseCode.NotIdentified, 'Identify first');
        return;
      }
      if (identifying) return;
      identifying = true;
      // Past the failed-auth limit nothing is checked: the password scan is the costly part.
      const waitMs = this.#app.authFailures.retryAfterMs(address);
      if (waitMs > 0) {
        connection.close(WS_CLOSE.TOO_MANY, tooManyFailures(waitMs).message);
        return;
      }
      void this.#identify(frame.d, salt, challenge)
        .then((identity) => {
          clearTimeout(identifyTimer);
          if (identity === ObsCloseCode.AuthenticationFailed) this.#app.authFailures.fail(address);
          if (typeof identity === 'number') {
            connection.close(identity, identity === ObsCloseCode.AuthenticationFailed ? 'Authentication failed' : '');
            return;
          }
          if (socket.readyState !== socket.OPEN) return;
          session = new ObsSession({
            app: this.#app,
            log: this.#options.log,
            connection,
            ...identity,
            onClosed: () => this.#sessions.delete(session as ObsSession),
          });
          this.#sessions.add(session);
          connection.send(ObsOpCode.Identified, { negotiatedRpcVersion: OBS_RPC_VERSION });
          session.start();
        })
        .catch((error: unknown) => {
          this.#options.log.warn({ err: error }, 'obs-websocket identify failed');
          connection.close(ObsCloseCode.UnknownReason, 'Pitchside could not check the password');
        });
    });
    socket.on('close', () => {
      clearTimeout(identifyTimer);
      session?.close();
    });
    socket.on('error', () => socket.terminate());

    connection.send(ObsOpCode.Hello, {
      obsStudioVersion: OBS_STUDIO_VERSION,
      obsWebSocketVersion: OBS_WEBSOCKET_VERSION,
      rpcVersion: OBS_RPC_VERSION,
      authentication: { challenge, salt },
    });
  }

  /** The event and role the password selects, or the close code to answer with. */
  async #identify(
    data: Record<string, unknown>,
    salt: string,
    challenge: string,
  ): Promise<{ eventId: string; role: EventRole; key: string; keyId: string; subscriptions: number } | number> {
    const parsed = parse(ObsIdentifySchema, data);
    if (!parsed.ok) return ObsCloseCode.InvalidDataFieldType;
    const identify = parsed.value;
    if (identify.rpcVersion !== OBS_RPC_VERSION) return ObsCloseCode.UnsupportedRpcVersion;
    if (identify.authentication === undefined) return ObsCloseCode.AuthenticationFailed;
    const answer = Buffer.from(identify.authentication);
    // The challenge does not say which key the client holds, so every director/graphics key is tried;
    // an installation has a handful of events, so this is a few dozen hashes.
    for (const event of await this.#app.events.list()) {
      for (const stored of await this.#app.apiKeys.list(event.id)) {
        if (!OBS_ROLES.includes(stored.role)) continue;
        const expected = Buffer.from(obsAuthentication(stored.key, salt, challenge));
        if (expected.length === answer.length && timingSafeEqual(expected, answer)) {
          return {
            eventId: event.id,
            role: stored.role,
            key: stored.key,
            keyId: stored.keyId,
            subscriptions: identify.eventSubscriptions ?? ObsEventSubscription.All,
          };
        }
      }
    }
    return ObsCloseCode.AuthenticationFailed;
  }
}

/** The spec's auth string: base64(sha256(base64(sha256(password + salt)) + challenge)). */
export function obsAuthentication(password: string, salt: string, challenge: string): string {
  const secret = createHash('sha256')
    .update(password + salt)
    .digest('base64');
  return createHash('sha256')
    .update(secret + challenge)
    .digest('base64');
}

function parseFrame(data: RawData, isBinary: boolean, msgpack: boolean): ObsFrame | null {
  try {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const value: unknown = msgpack && isBinary ? decode(buffer) : JSON.parse(buffer.toString('utf8'));
    const frame = parse(ObsFrameSchema, value);
    return frame.ok ? frame.value : null;
  } catch {
    return null;
  }
}
