// The embedded stack for direct-camera tests, real end to end: the controller (no LiveKit) with the demo
// event `npm start` creates, a worker with the built-in recorder, and a phone played by Chromium with a
// fake camera and microphone fed from a clip and a tone the test makes with ffmpeg.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'puppeteer-core';
import { FPS, H, makeCameraMedia, W, CAMERA_COLOUR, CAMERA_TONE_HZ, type PhoneMedia } from '../helpers/phone-media.ts';
import { DEMO_EVENT_ID, ensureDemoEvent } from '../../controller/services/demo-event.ts';
import {
  createRedisKeys,
  PROGRAM_OUTPUT_QUEUE,
  TEMPLATE_QUERY,
  type Camera,
  type OutputStatusMessage,
  type RedisKeys,
} from '../../protocol/index.ts';
import { fakeCaptureArgs, launchChromium } from '../../runtime/chromium.ts';
import { BuiltinBackend } from '../../worker/builtin-backend.ts';
import { JobClient } from '../../outputs/job-client.ts';
import { OutputWorker } from '../../worker/output-worker.ts';
import { bearer, listen, testApp, testConfig } from '../controller/controller-helpers.ts';
import { freshPrefix, testRedis, testRedisUrl } from '../helpers/redis.ts';
import { StatusListener, until } from '../worker/helpers.ts';
import { testLogger } from '../helpers/logger.ts';

export { CAMERA_COLOUR, CAMERA_TONE_HZ, FPS, H, makeCameraMedia, W, type PhoneMedia } from '../helpers/phone-media.ts';

export interface TilePicture {
  rgb: [number, number, number];
  width: number;
  height: number;
}

export class DirectCameraStack {
  app!: FastifyInstance;
  host = '';
  keys: Record<string, string> = {};
  joinCode = '';
  dir = '';
  worker!: OutputWorker;
  client!: JobClient;
  /** One Chromium per phone: each has its own fake camera and microphone. */
  cameraBrowsers: Browser[] = [];
  browser!: Browser;
  /** The worker's and the job client's Redis names (a fresh prefix, or the controller's: see the constructor). */
  redisKeys: RedisKeys = createRedisKeys(freshPrefix('cameras'));

  /**
   * `sharedKeys`: the worker uses the controller's Redis names, as one deployment does, so controller routes
   * that read the worker's recordings (exports, re-renders) find them.
   */
  constructor(private readonly options: { sharedKeys?: boolean; phones?: PhoneMedia[] } = {}) {}

  get cameraBrowser(): Browser {
    const browser = this.cameraBrowsers[0];
    if (browser === undefined) throw new Error('the stack has not started');
    return browser;
  }

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'pitchside-cameras-'));
    // The controller's data (ISO recordings, clips, exports) goes to the test's own directory.
    this.app = await testApp({ distDir: resolve('dist'), config: testConfig({ PITCHSIDE_DATA_DIR: this.dir }) });
    if (this.options.sharedKeys === true) this.redisKeys = this.app.redisKeys;
    const keys = await ensureDemoEvent(this.app.events, this.app.apiKeys);
    this.keys = Object.fromEntries(keys.map((k) => [k.role, k.key]));
    this.joinCode = (await this.app.events.require(DEMO_EVENT_ID)).joinCode;
    this.host = await listen(this.app);
    this.worker = new OutputWorker({
      log: testLogger('output'),
      redisUrl: testRedisUrl(),
      keys: this.redisKeys,
      backends: { builtin: new BuiltinBackend({ recordingsDir: this.dir }) },
    });
    await this.worker.start();
    this.client = new JobClient({ redis: testRedisUrl(), keys: this.redisKeys });
    await this.client.start();
    const phones = this.options.phones ?? [{ colour: CAMERA_COLOUR, toneHz: CAMERA_TONE_HZ }];
    for (const [i, phone] of phones.entries()) {
      const media = makeCameraMedia(this.dir, phone, `camera-${i}`);
      this.cameraBrowsers.push(
        await launchChromium({ width: 390, height: 844, args: fakeCaptureArgs(media.video, media.audio) }),
      );
    }
    this.browser = await launchChromium({ width: 1920, height: 1080 });
  }

  async close(): Promise<void> {
    for (const browser of this.cameraBrowsers) await browser.close();
    await this.browser?.close();
    await this.worker?.close();
    const queue = new Queue(PROGRAM_OUTPUT_QUEUE, { connection: testRedis(), prefix: this.redisKeys.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await this.client?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Opens the camera link as a person would, types a name and joins; resolves with the new camera.
   * `prepare` runs on the page before it loads (e.g. `evaluateOnNewDocument` to stand in for a phone's API).
   */
  async joinCamera(
    label: string,
    phone = 0,
    prepare: (page: Page) => Promise<void> = async () => {},
  ): Promise<{ page: Page; camera: Camera }> {
    const browser = this.cameraBrowsers[phone];
    if (browser === undefined) throw new Error(`no phone ${phone}`);
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('[camera pageerror]', error));
    await prepare(page);
    await page.goto(`http://${this.host}/camera?code=${this.joinCode}`, { waitUntil: 'load' });
    await page.waitForSelector('#join-label');
    await page.type('#join-label', label);
    await page.click('#join-button');
    await page.waitForFunction(() => document.body.dataset.connection === 'online', { timeout: 20_000, polling: 100 });
    const cameraId = await page.$eval('#camera-id', (el) => el.textContent ?? '');
    const camera = await this.camera(cameraId);
    if (camera === undefined) throw new Error(`camera ${cameraId} is not registered`);
    return { page, camera };
  }

  /** The director panel of the demo event, as the director opens it (in the stack's browser by default). */
  async openDirector(browser: Browser = this.browser): Promise<Page> {
    const director = await browser.newPage();
    director.on('pageerror', (error) => console.error('[director pageerror]', error));
    await director.setViewport({ width: 1920, height: 1080 });
    await director.goto(
      `http://${this.host}/director?event=${DEMO_EVENT_ID}&key=${encodeURIComponent(this.keys['director'] ?? '')}`,
    );
    return director;
  }

  /** Waits until the camera's multiview tile plays a picture: the colour at its centre and its size. */
  async tilePicture(director: Page, cameraId: string): Promise<TilePicture> {
    const picture = await director.waitForFunction(
      (id) => {
        const video = document.querySelector<HTMLVideoElement>(`.source-tile[data-source="${id}"] video`);
        if (video === null || video.videoWidth === 0 || video.readyState < 2) return false;
        const canvas = document.createElement('canvas');
        canvas.width = 8;
        canvas.height = 8;
        const g = canvas.getContext('2d')!;
        g.drawImage(video, 0, 0, 8, 8);
        const [r = 0, gr = 0, b = 0] = g.getImageData(4, 4, 1, 1).data;
        return { rgb: [r, gr, b], width: video.videoWidth, height: video.videoHeight };
      },
      { timeout: 45_000, polling: 200 },
      cameraId,
    );
    return (await picture.jsonValue()) as TilePicture;
  }

  async cameras(): Promise<Camera[]> {
    const res = await this.app.inject({
      method: 'GET',
      url: `/api/events/${DEMO_EVENT_ID}/cameras`,
      headers: bearer(this.keys['director'] ?? ''),
    });
    return (JSON.parse(res.body) as { cameras: Camera[] }).cameras;
  }

  async camera(id: string): Promise<Camera | undefined> {
    return (await this.cameras()).find((c) => c.id === id);
  }

  async waitCameraStatus(id: string, status: Camera['status'], timeoutMs = 30_000): Promise<number> {
    await until(async () => (await this.camera(id))?.status === status, timeoutMs, `camera ${id} ${status}`);
    return Date.now();
  }

  async take(source: string): Promise<void> {
    const res = await this.api('POST', '/program/take', { source, transition: { type: 'cut', durationMs: 0 } });
    if (res.status !== 200) throw new Error(`take ${source}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** Applies a protocol command as the director, through the API. */
  async command(command: Record<string, unknown>): Promise<void> {
    const res = await this.api('POST', '/commands', command);
    if (res.status !== 200) throw new Error(`${String(command['type'])}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** Opens a commentary seat's link (its `url`) on this test's host in `browser`, as its commentator would. */
  async openSeat(
    browser: Browser,
    url: string | undefined,
    prepare: (page: Page) => Promise<void> = async () => {},
  ): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error('[commentary pageerror]', error));
    await prepare(page);
    const link = new URL(url ?? '');
    await page.goto(`http://${this.host}/commentary${link.search}${link.hash}`, { waitUntil: 'load' });
    return page;
  }

  /** A call to the demo event's API (`path` below `/api/events/ID`) as the director: status and JSON body. */
  async api(
    method: 'GET' | 'POST',
    path: string,
    payload?: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await this.app.inject({
      method,
      url: `/api/events/${DEMO_EVENT_ID}${path}`,
      headers: bearer(this.keys['director'] ?? ''),
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  }

  statusListener(): StatusListener {
    return new StatusListener(testRedis(), this.redisKeys);
  }

  /** Starts the built-in recorder on the template; resolves with the wall time of its first frame. */
  async record(status: StatusListener): Promise<number> {
    // With the program renderer's pass, as the controller's output routes make the URL: the recorder gets
    // the cameras' program slots.
    const template = await this.app.apiKeys.get(DEMO_EVENT_ID, 'template');
    const url = new URL(`http://${this.host}/template/`);
    url.searchParams.set(TEMPLATE_QUERY.event, DEMO_EVENT_ID);
    url.searchParams.set(TEMPLATE_QUERY.key, template?.key ?? '');
    url.searchParams.set(
      TEMPLATE_QUERY.programPass,
      this.app.apiKeys.programPass(DEMO_EVENT_ID, template?.keyId ?? ''),
    );
    await this.client.startRecording(DEMO_EVENT_ID, {
      templateUrl: url.toString(),
      video: { width: W, height: H, fps: FPS },
    });
    const live = (await status.waitFor(
      (m) => m.type === 'job.output' && m.recordingStartedAt !== null,
      90_000,
    )) as OutputStatusMessage;
    return live.recordingStartedAt ?? 0;
  }

  /** `record`, then waits until the recorder's page receives `cameraId`: the recording's start, as `record`. */
  async recordReceiving(status: StatusListener, cameraId: string): Promise<number> {
    const startedAt = await this.record(status);
    await until(async () => ((await this.camera(cameraId))?.health?.peers ?? 0) >= 1, 60_000, 'recorder receiving');
    return startedAt;
  }

  /** Stops the output; resolves with the finished recording's path. */
  async stop(status: StatusListener): Promise<string> {
    await this.client.stop(DEMO_EVENT_ID);
    await status.waitFor((m) => m.state === 'completed', 60_000);
    const file = (await this.client.recordings(DEMO_EVENT_ID)).at(-1)?.file;
    if (file === undefined) throw new Error('no recording');
    return file;
  }
}
