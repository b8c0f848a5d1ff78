// Decoded-video camera sources for the benchmarks: LiveKit camera tracks reach the template as decoded
// video, and a canvas-drawn test source costs far less than that, so benches that mean "cameras" play
// these 720p30 H.264 clips of the test pattern (the template's `testsources=video&testmedia=URL`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { testSourceColour } from '../protocol/index.ts';

const CLIP_SECONDS = 10;
const CAMERAS = 4;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** Writes camera-1.mp4 … camera-4.mp4 (the test sources' colours, a moving marker and a frame counter). */
export function makeCameraClips(dir: string): void {
  for (let n = 1; n <= CAMERAS; n += 1) {
    const colour = testSourceColour(n).replace('#', '0x');
    const filter = [
      `color=c=${colour}:s=1280x720:r=30`,
      `drawbox=x='100+mod(t*240\\,1000)':y=640:w=40:h=40:color=white:t=fill`,
      `drawtext=fontfile=${FONT}:text='Camera ${n}':x=(w-tw)/2:y=30:fontsize=50:fontcolor=white`,
      `drawtext=fontfile=${FONT}:text='%{frame_num}':x=w-tw-40:y=40:fontsize=32:fontcolor=white`,
    ].join(',');
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      filter,
      '-t',
      String(CLIP_SECONDS),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '60',
      join(dir, `camera-${n}.mp4`),
    ]);
  }
}

/**
 * The clips over HTTP on loopback, with CORS (the template loads them crossOrigin so that its canvas stays
 * readable by the recorder) and range requests (video elements seek and loop with them).
 */
export class CameraClipServer {
  readonly #dir = mkdtempSync(join(tmpdir(), 'pitchside-clips-'));
  #app: FastifyInstance | null = null;
  url = '';

  async start(): Promise<string> {
    makeCameraClips(this.#dir);
    const app = Fastify({ logger: false });
    app.addHook('onSend', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
    });
    await app.register(fastifyStatic, { root: this.#dir, prefix: '/' });
    this.url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
    this.#app = app;
    return this.url;
  }

  async close(): Promise<void> {
    await this.#app?.close();
    this.#app = null;
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
