// A stand-in for the controller's template-facing contract, for template tests and the benchmark:
// serves dist/ (and extra static folders), speaks the WebSocket contract (snapshot on connect, a state
// frame on every change, ping → pong, the key checked) and changes state only through protocol/apply.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  apply,
  createInitialState,
  fromProtocols,
  KEY_PROTOCOL_PREFIX,
  testSources,
  type Command,
  type ProgramState,
  type StateMessage,
} from '../../protocol/index.ts';
import { freePort } from '../../runtime/free-port.ts';

export const DIST_DIR = resolve(import.meta.dirname, '../../dist');
export const STUB_EVENT = 'demo';
export const STUB_KEY = 'template-test-key';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.mp4': 'video/mp4',
  '.map': 'application/json',
};

export interface TemplateControllerStubOptions {
  /** URL prefix → folder, e.g. { '/media/': clipsDir }. */
  staticDirs?: Record<string, string>;
  /** URL prefix → handler, asked before the static folders (e.g. clip media served late, with ranges). */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
  sourceCount?: number;
}

export class TemplateControllerStub {
  state: ProgramState;
  port = 0;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  readonly #mounts: [string, string][];
  readonly #routes: [string, (req: IncomingMessage, res: ServerResponse) => void][];
  /** Every frame the pages sent other than pings (meter reports, media requests), oldest first. */
  readonly received: { type: string; [key: string]: unknown }[] = [];

  constructor(options: TemplateControllerStubOptions = {}) {
    if (!existsSync(join(DIST_DIR, 'template/index.html'))) {
      throw new Error('dist/template/index.html is missing: run `npm run build` first');
    }
    this.state = createInitialState({ now: Date.now(), sources: testSources(options.sourceCount ?? 4) });
    this.#mounts = [...Object.entries(options.staticDirs ?? {}), ['/', DIST_DIR]];
    this.#routes = Object.entries(options.routes ?? {});
    this.#server = createServer((req, res) => this.#serve(req, res));
    this.#server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const match = /^\/api\/events\/([^/]+)\/ws$/.exec(url.pathname);
      // The page offers its key as a subprotocol (protocol/key-transport.ts); `?key=` is the older way.
      const protocols = req.headers['sec-websocket-protocol'];
      const key = fromProtocols(protocols, KEY_PROTOCOL_PREFIX) ?? url.searchParams.get('key');
      if (match === null || match[1] !== STUB_EVENT || key !== STUB_KEY) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  async start(): Promise<void> {
    this.port = await freePort();
    await new Promise<void>((done) => this.#server.listen(this.port, '127.0.0.1', done));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  templateUrl(query: Record<string, string | number> = {}): string {
    const params = new URLSearchParams({ event: STUB_EVENT, key: STUB_KEY });
    for (const [k, v] of Object.entries(query)) params.set(k, String(v));
    return `${this.origin}/template/?${params}`;
  }

  /** Apply commands in order through the protocol reducer and broadcast the result. */
  command(...commands: Command[]): ProgramState {
    for (const command of commands) {
      const result = apply(this.state, command, { now: Date.now() });
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
      this.state = result.state;
    }
    this.broadcast();
    return this.state;
  }

  message(): StateMessage {
    return { type: 'state', eventId: STUB_EVENT, state: this.state, serverTime: Date.now() };
  }

  broadcast(): void {
    const frame = JSON.stringify(this.message());
    for (const ws of this.#sockets) ws.send(frame);
  }

  /** Drop every socket, as a controller restart would. */
  dropConnections(): void {
    for (const ws of this.#sockets) ws.terminate();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    this.#wss.close();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('close', () => this.#sockets.delete(ws));
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as { type?: string; clientTime?: number };
      if (frame.type === 'ping')
        ws.send(JSON.stringify({ type: 'pong', clientTime: frame.clientTime, serverTime: Date.now() }));
      else if (typeof frame.type === 'string') this.received.push({ ...frame, type: frame.type });
    });
    ws.send(JSON.stringify(this.message()));
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stub');
    const path = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname;
    const route = this.#routes.find(([prefix]) => path.startsWith(prefix));
    if (route !== undefined) return route[1](req, res);
    for (const [prefix, dir] of this.#mounts) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) continue;
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404).end();
  }
}
