import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS, guardOutboundRequests, launchSandboxed } from '../../runtime/chromium.ts';
import { DEFAULT_CHROMIUM_PATH } from '../../runtime/config.ts';
import { OutboundPolicy } from '../../runtime/outbound-policy.ts';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AudioBlock, CaptureStats, CaptureTransport, VideoChunk } from './types.ts';

const MSG_VIDEO = 1;
const MSG_AUDIO = 2;
const HEADER_BYTES = 16;
/** Baseline (constrained) profile: OpenH264 in Chromium encodes it fastest,
 * and it has no B-frames, so pts == dts and raw Annex-B needs no reordering. */
export const DEFAULT_CODEC = 'avc1.42E028';
const PAGE_LOAD_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** A browser that does not close in this time is killed. */
const BROWSER_CLOSE_TIMEOUT_MS = 5_000;
/**
 * A page that sends no video for this long has stopped drawing: its renderer is hung (a stuck GPU readback,
 * a script in a loop, a stopped process), not crashed, so no puppeteer event says so and the program would
 * hold its last frame for ever. Long enough for a loaded machine's worst stall (frames arrive every 33 ms),
 * short enough that viewers see seconds, not a match, of frozen picture.
 */
export const FRAME_STALL_MS = 8_000;
const STALL_CHECK_MS = 1_000;

export interface BrowserCaptureOptions {
  url: string;
  width: number;
  height: number;
  fps: number;
  /** Video bitrate in bit/s; default 6 Mb/s at 1080p, scaled by pixel count. */
  bitrate?: number;
  codec?: string;
  transport?: CaptureTransport;
  executablePath?: string;
  extraArgs?: string[];
  onVideo: (chunk: VideoChunk) => void;
  onAudio: (block: AudioBlock) => void;
  onLog?: (msg: string) => void;
  /** Where the page may load from besides its own origin (media sources); default: public addresses only. */
  outbound?: OutboundPolicy;
  /**
   * Also capture the page's international sound (`capture.international()`): audio blocks then carry four
   * channels, the program's pair and the international pair. Off, the page builds no second mix.
   */
  international?: boolean;
  /**
   * The page's renderer crashed or Chromium went away while capturing: no frame will come any more.
   * Without it a dead renderer is only noticed when a CDP call times out (protocolTimeout, 60 s of
   * silence on every output); with it the owner restarts the capture at once.
   */
  onCrash?: (reason: string) => void;
}

export interface CaptureInfo {
  hasAudio: boolean;
  sampleRate: number;
  browserPid: number | null;
}

/**
 * Launches Chromium, opens the program page at WxH and runs the in-page
 * WebCodecs encoder (page-capture.js). Encoded video and PCM audio arrive
 * through onVideo/onAudio with stream-relative positions.
 */
export class BrowserCapture {
  private browser: Browser | null = null;
  private page: Page | null = null;
  private wss: WebSocketServer | null = null;
  private chunksReceived = 0;
  private audioBlocksReceived = 0;
  private closed = false;
  /** Why the page can no longer capture (renderer crash, Chromium gone); CDP calls to it would hang. */
  private lost: string | null = null;
  private lastVideoAt = 0;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BrowserCaptureOptions) {}

  /**
   * A start that fails at any step (launch, page load, the page's capture) closes what it opened: the
   * job layer retries with a fresh capture, and each failed attempt must not leave a Chromium and a
   * listening capture server behind.
   */
  async start(): Promise<CaptureInfo> {
    try {
      return await this.#start();
    } catch (error) {
      await this.#release();
      throw error;
    }
  }

  async #start(): Promise<CaptureInfo> {
    const o = this.opts;
    const transport = o.transport ?? 'websocket';
    const bitrate = o.bitrate ?? Math.round((6_000_000 * o.width * o.height) / (1920 * 1080));
    let wsUrl: string | undefined;
    if (transport === 'websocket') wsUrl = await this.listen();

    this.browser = await launchSandboxed({
      executablePath: o.executablePath ?? DEFAULT_CHROMIUM_PATH,
      args: [...CHROMIUM_FLAGS, '--hide-scrollbars', `--window-size=${o.width},${o.height}`, ...(o.extraArgs ?? [])],
      defaultViewport: { width: o.width, height: o.height, deviceScaleFactor: 1 },
      protocolTimeout: 60_000,
      // CDP over a pipe: Chromium exits when the pipe closes, so a worker killed outright (kill -9, OOM)
      // takes its browser with it. Over a WebSocket it stayed, rendering for nobody (tests/faults).
      pipe: true,
    });
    this.browser.on('disconnected', () => this.crashed('Chromium exited'));
    const page = (this.page = await this.browser.newPage());
    // puppeteer's 'error' on a page is the renderer crashing (killed, OOM, a GPU process fault).
    page.on('error', (e) => this.crashed(`the page's renderer crashed (${e.message})`));
    page.on('console', (m) => o.onLog?.(`[page] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => o.onLog?.(`[page] error: ${String(e)}`));
    await guardOutboundRequests(page, {
      policy: o.outbound ?? new OutboundPolicy(),
      trustedOrigins: [new URL(o.url).origin],
      onRefused: (url, reason) => o.onLog?.(`[page] refused ${url}: ${reason}`),
    });
    if (transport === 'binding') {
      await page.exposeFunction('__pitchsideSendB64', (b64: string) => this.onMessage(Buffer.from(b64, 'base64')));
    }
    await page.goto(o.url, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
    const script = await readFile(fileURLToPath(new URL('./page-capture.js', import.meta.url)), 'utf8');
    await page.evaluate(script);
    const startOpts = {
      wsUrl,
      transport,
      width: o.width,
      height: o.height,
      fps: o.fps,
      bitrate,
      codec: o.codec ?? DEFAULT_CODEC,
      international: o.international === true,
    };
    // Passed as a string so tsx never rewrites the function body.
    const info = (await page.evaluate(`window.__pitchsideStartCapture(${JSON.stringify(startOpts)})`)) as {
      hasAudio: boolean;
      sampleRate: number;
    };
    this.lastVideoAt = Date.now();
    this.stallTimer = setInterval(() => {
      const silentMs = Date.now() - this.lastVideoAt;
      if (silentMs > FRAME_STALL_MS)
        this.crashed(`no program frame for ${Math.round(silentMs / 1000)} s: the page stopped drawing`);
    }, STALL_CHECK_MS);
    return { ...info, browserPid: this.browser.process()?.pid ?? null };
  }

  async stats(): Promise<CaptureStats> {
    if (this.lost !== null) throw new Error(`capture lost: ${this.lost}`);
    const s = (await this.page!.evaluate('window.__pitchsideCaptureControl.stats()')) as Omit<
      CaptureStats,
      'chunksReceived' | 'audioBlocksReceived'
    >;
    return { ...s, chunksReceived: this.chunksReceived, audioBlocksReceived: this.audioBlocksReceived };
  }

  /** Stops encoding (flushing the encoder tail to Node), then the browser. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A crashed page answers no CDP call (each would wait out protocolTimeout): go straight to the browser.
    if (this.lost === null) {
      try {
        await Promise.race([
          this.page?.evaluate('window.__pitchsideCaptureControl && window.__pitchsideCaptureControl.stop()'),
          new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS)),
        ]);
      } catch (e) {
        this.opts.onLog?.(`capture stop failed: ${String(e)}`);
      }
    }
    await this.#release();
  }

  /** Ends the browser (killed if it will not close) and the capture server with its connections. */
  async #release(): Promise<void> {
    clearInterval(this.stallTimer);
    const browser = this.browser;
    const wss = this.wss;
    this.browser = null;
    this.page = null;
    this.wss = null;
    if (browser !== null) {
      const closed = await Promise.race([
        browser.close().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), BROWSER_CLOSE_TIMEOUT_MS)),
      ]);
      if (!closed) browser.process()?.kill('SIGKILL');
    }
    if (wss !== null) {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  }

  private crashed(reason: string): void {
    if (this.closed || this.lost !== null) return;
    clearInterval(this.stallTimer);
    this.lost = reason;
    this.opts.onLog?.(`capture lost: ${reason}`);
    this.opts.onCrash?.(reason);
  }

  private async listen(): Promise<string> {
    const token = randomBytes(16).toString('hex');
    const wss = (this.wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: `/capture/${token}`,
      maxPayload: 64 << 20,
    }));
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) this.onMessage(data);
      });
    });
    const { port } = wss.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/capture/${token}`;
  }

  private onMessage(buf: Buffer): void {
    if (buf.length < HEADER_BYTES) return;
    const type = buf.readUInt8(0);
    if (type === MSG_VIDEO) {
      this.chunksReceived++;
      this.lastVideoAt = Date.now();
      this.opts.onVideo({
        key: buf.readUInt8(1) === 1,
        frameIndex: buf.readUInt32LE(4),
        timestampUs: buf.readDoubleLE(8),
        data: buf.subarray(HEADER_BYTES),
      });
    } else if (type === MSG_AUDIO) {
      this.audioBlocksReceived++;
      this.opts.onAudio({
        channels: buf.readUInt8(1),
        sampleRate: buf.readUInt32LE(4),
        samplePos: buf.readDoubleLE(8),
        data: buf.subarray(HEADER_BYTES),
      });
    }
  }
}
