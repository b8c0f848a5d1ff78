// Direct cameras' send slots (issue 22 hole 3), against the real controller and a real phone (Chromium with
// a fake camera): pages opened with a graphics or template key that ask for the camera's picture and never
// answer keep asking, yet the director's monitors still play the camera (a reserved slot), the program
// renderer's pass gets an offer, refused pages are told so, and a silent receiver is dropped after the expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENT_ID } from '../../controller/services/demo-event.ts';
import { SEND_SLOTS, TEMPLATE_QUERY, type MediaQuality } from '../../protocol/index.ts';
import { connectWs, type FrameCollector } from '../controller/controller-helpers.ts';
import { colourDistance, hexToRgb } from '../worker/media-checks.ts';
import { CAMERA_COLOUR, DirectCameraStack } from '../cameras/direct-camera-stack.ts';

/** More than every slot a camera has: on a camera without reserved slots they take them all. */
const GRAPHICS_HOGS = 8;
const TEMPLATE_HOGS = 4;
/** A hog asks again (a new session) this often: shorter than any expiry, so it never lets its slot go. */
const HOG_REASK_MS = 1500;
/** Max channel difference between the tile's centre and the camera colour (VP8 and scaling). */
const COLOUR_TOLERANCE = 30;
/** Generous: a loaded machine with two Chromiums; a frame that comes at all comes long before this. */
const FRAME_TIMEOUT_MS = 30_000;

type Frame = { type: string; [k: string]: unknown };

/** A receiving socket that asks a camera for its media and never answers. */
class SilentReceiver {
  sessions: string[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly ws: FrameCollector,
    private readonly camera: string,
    private readonly quality: MediaQuality,
  ) {}

  ask(): string {
    const session = `hog-${Math.random().toString(36).slice(2, 12)}`;
    this.sessions.push(session);
    this.ws.socket.send(JSON.stringify({ type: 'media.request', camera: this.camera, session, quality: this.quality }));
    return session;
  }

  keepAsking(): void {
    this.ask();
    this.#timer = setInterval(() => this.ask(), HOG_REASK_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The camera's answer to one of this socket's sessions: its offer or its refusal. */
  answerTo(session: string, match: (frame: Frame) => boolean): Promise<Frame> {
    return this.ws.waitFor((f) => f['session'] === session && match(f), FRAME_TIMEOUT_MS);
  }
}

function isOffer(frame: Frame): boolean {
  return frame.type === 'media.signal' && (frame['description'] as { type?: string } | undefined)?.type === 'offer';
}

function refused(reason: string): (frame: Frame) => boolean {
  return (f) => f.type === 'media.refused' && f['reason'] === reason;
}

const stack = new DirectCameraStack();
const sockets: FrameCollector[] = [];
const hogs: SilentReceiver[] = [];
beforeAll(() => stack.start(), 120_000);
afterAll(async () => {
  for (const hog of hogs) hog.stop();
  for (const socket of sockets) await socket.close();
  await stack.close();
}, 60_000);

async function receiver(key: string, camera: string, quality: MediaQuality, query = {}): Promise<SilentReceiver> {
  const ws = await connectWs(stack.host, DEMO_EVENT_ID, key, query);
  sockets.push(ws);
  await ws.waitFor((f) => f.type === 'media.config', FRAME_TIMEOUT_MS);
  return new SilentReceiver(ws, camera, quality);
}

describe("direct cameras' send slots", () => {
  it('pages that ask and never answer cannot take the monitors’ or the program renderer’s slots', async () => {
    const { page: phone, camera } = await stack.joinCamera('North stand');
    // The phone takes requests once it captures (its preview plays): the hogs ask once, then on a timer.
    await phone.waitForFunction(() => [...document.querySelectorAll('video')].some((v) => v.videoWidth > 0), {
      timeout: FRAME_TIMEOUT_MS,
      polling: 100,
    });
    for (let i = 0; i < GRAPHICS_HOGS; i += 1) hogs.push(await receiver(stack.keys['graphics']!, camera.id, 'reduced'));
    // A template-key page without the renderer's pass is any other page: it may ask for the full picture,
    // but not hold a program slot.
    for (let i = 0; i < TEMPLATE_HOGS; i += 1) hogs.push(await receiver(stack.keys['template']!, camera.id, 'full'));
    const firstSessions = hogs.map((hog) => hog.ask());
    // Each hog is answered: an offer while shared slots last, then a refusal that says why (not silence).
    const answers = await Promise.all(
      hogs.map((hog, i) => hog.answerTo(firstSessions[i]!, (f) => isOffer(f) || refused('slots-full')(f))),
    );
    expect(answers.filter(isOffer)).toHaveLength(SEND_SLOTS.shared);
    expect(answers.filter(refused('slots-full'))).toHaveLength(hogs.length - SEND_SLOTS.shared);
    for (const hog of hogs) hog.keepAsking();

    // The director's monitors play the camera all the same: a reserved slot.
    const director = await stack.openDirector();
    const tile = await stack.tilePicture(director, camera.id);
    expect(colourDistance(tile.rgb, hexToRgb(CAMERA_COLOUR)), JSON.stringify(tile)).toBeLessThanOrEqual(
      COLOUR_TOLERANCE,
    );

    // The program renderer (the template key with the controller's pass, as the recorder's page opens it)
    // gets an offer of the full picture; the same key with a made-up pass is refused like any other page.
    const templateKey = await stack.app.apiKeys.get(DEMO_EVENT_ID, 'template');
    const pass = stack.app.apiKeys.programPass(DEMO_EVENT_ID, templateKey!.keyId);
    const program = await receiver(stack.keys['template']!, camera.id, 'full', { [TEMPLATE_QUERY.programPass]: pass });
    const forged = await receiver(stack.keys['template']!, camera.id, 'full', {
      [TEMPLATE_QUERY.programPass]: 'A'.repeat(pass.length),
    });
    const programSession = program.ask();
    expect(await program.answerTo(programSession, (f) => isOffer(f) || f.type === 'media.refused')).toMatchObject({
      type: 'media.signal',
      description: { type: 'offer' },
    });
    const forgedSession = forged.ask();
    expect(await forged.answerTo(forgedSession, (f) => isOffer(f) || f.type === 'media.refused')).toMatchObject({
      type: 'media.refused',
      reason: 'slots-full',
    });

    // A receiver that never answers is dropped after the expiry, and told so.
    expect(await program.answerTo(programSession, refused('expired'))).toMatchObject({
      from: camera.id,
      to: expect.stringMatching(/^rx-/),
    });
    // …and so is every hog once it stops asking again: its last session, if offered, expires.
    for (const hog of hogs) hog.stop();
    let expired = 0;
    for (const hog of hogs) {
      const last = hog.sessions.at(-1)!;
      if (!isOffer(await hog.answerTo(last, (f) => isOffer(f) || refused('slots-full')(f)))) continue;
      await hog.answerTo(last, refused('expired'));
      expired += 1;
    }
    expect(expired).toBeGreaterThan(0);
    // The freed slots take a new request at once.
    const again = hogs[0]!.ask();
    expect(await hogs[0]!.answerTo(again, (f) => isOffer(f) || f.type === 'media.refused')).toMatchObject({
      type: 'media.signal',
    });
  }, 240_000);
});
