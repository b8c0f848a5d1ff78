// `npm run screenshots`: the operator pages in real Chromium against the embedded stack (built pages, a
// throwaway Redis, one demo event mid-match), saved to docs/screenshots/ for the README. Director,
// graphics and the event console at 1920×1080 (director and graphics also on a 1366×768 laptop), the
// console's setup form at tablet size 820×1180, camera and viewer (with and without YouTube/Twitch) at
// phone size 390×844.
// `npm run screenshots -- director` writes only the files whose name contains `director`; `-- sound-` only the
// sound desk's (director's mixer and the graphics desk's master meter, with a renderer's meters fed in).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'puppeteer-core';
import { buildApp } from '../controller/app.ts';
import { WebSocket } from 'ws';
import {
  AUDIO_METER_FLOOR_DB,
  AUDIO_METER_INTERVAL_MS,
  testSources,
  type AudioMeters,
  type Command,
  type EventRole,
  type JoinResponse,
} from '../protocol/index.ts';
import { fakeCaptureArgs, launchChromium } from '../runtime/chromium.ts';
import { loadConfig } from '../runtime/config.ts';
import { EmbeddedRedis } from '../runtime/embedded-redis.ts';
import { freePort } from '../runtime/free-port.ts';

const OUT_DIR = resolve('docs/screenshots');
const EVENT_ID = 'cup-final';
const DESKTOP = { width: 1920, height: 1080 };
const PHONE = { width: 390, height: 844 };
const TABLET = { width: 820, height: 1180 };
/** The smallest screen a director or graphics operator is expected to run on: a 1366×768 laptop. */
const LAPTOP = { width: 1366, height: 768 };
const ADMIN_KEY = 'psadm_screenshots-only-0123456789';
/** Long enough for the template's fades and the clock to settle into a representative frame. */
const SETTLE_MS = 2500;
/** What the fake phone camera films. */
const CAMERA_PATTERN = 'testsrc2=size=640x360:rate=30:duration=2';
/** A home crest for the scorebug: a white square on the home colour. */
const CREST_FILTER = 'color=c=0xc8102e:s=96x96,drawbox=x=28:y=28:w=40:h=40:color=white:t=fill';

const MATCH: Command[] = [
  {
    type: 'scorebug.set',
    visible: true,
    home: { name: 'Northside Rovers', short: 'NOR', colour: '#c8102e' },
    away: { name: 'Harbour City', short: 'HBC', colour: '#0b5cab' },
    period: '2nd',
  },
  { type: 'score.set', team: 'home', score: 2 },
  { type: 'score.set', team: 'away', score: 1 },
  // The second half runs to 90:00 (the sport's default limit is one 45-minute period).
  { type: 'clock.configure', limitMs: 90 * 60 * 1000 },
  { type: 'clock.set', valueMs: (67 * 60 + 12) * 1000 },
  { type: 'clock.start' },
  { type: 'pip.set', source: 'camera-3', corner: 'top-right', visible: true },
  { type: 'program.take', source: 'camera-2', transition: { type: 'cut' } },
  { type: 'program.preview', source: 'camera-4' },
  { type: 'lowerThird.show', title: 'Welcome to the match', subtitle: 'Live coverage' },
  // The sound desk: the crowd camera always in at −6 dB, a phone with wind noise muted, a phone lined up.
  { type: 'audio.source', source: 'camera-3', mode: 'on', gainDb: -6 },
  { type: 'audio.source', source: 'camera-4', muted: true, delayMs: 180 },
];

/** A program's meters as the output page reports them, swaying a little; camera-4's phone sends no sound. */
function meterReading(now: number): AudioMeters {
  const sway = (phase: number, depth: number): number => Math.sin(now / 700 + phase) * depth;
  const level = (peakDb: number) => ({ peakDb, rmsDb: Math.max(AUDIO_METER_FLOOR_DB, peakDb - 8) });
  return {
    at: now,
    master: {
      momentaryLufs: -14.8 + sway(0, 1.5),
      shortTermLufs: -14.3 + sway(1, 0.5),
      integratedLufs: -14.4,
      truePeakDbtp: -3.2 + sway(2, 1),
      truePeakMaxDbtp: -1.1,
      channels: [level(-4.5 + sway(0, 2)), level(-5 + sway(0.5, 2))],
      gainReductionDb: -1.2 + sway(3, 0.8),
    },
    sources: {
      'camera-1': level(-14 + sway(1, 3)),
      'camera-2': level(-9 + sway(2, 3)),
      'camera-3': level(-11 + sway(3, 4)),
      'camera-4': level(-120),
    },
  };
}

/** A template-key socket reporting like the built-in recorder's page; returns the function that stops it. */
async function feedMeters(origin: string, key: string): Promise<() => void> {
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/api/events/${EVENT_ID}/ws?key=${key}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const timer = setInterval(() => {
    const frame = { type: 'audio.meters', eventId: EVENT_ID, renderer: 'recorder', meters: meterReading(Date.now()) };
    socket.send(JSON.stringify(frame));
  }, AUDIO_METER_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    socket.close();
  };
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const redis = new EmbeddedRedis({ appendOnly: false });
  const redisUrl = await redis.start();
  const port = await freePort();
  const app = await buildApp({
    config: loadConfig({ PORT: port, LOG_LEVEL: 'warn' }, {}),
    redisUrl,
    adminKey: ADMIN_KEY,
    distDir: resolve('dist'),
    livekit: null,
    logger: false,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${port}`;
  // The phone's camera and microphone: a test pattern and a tone, so the camera page shows a real picture.
  const media = mkdtempSync(join(tmpdir(), 'pitchside-shots-'));
  const [video, audio] = [join(media, 'camera.y4m'), join(media, 'tone.wav')];
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', CAMERA_PATTERN, '-pix_fmt', 'yuv420p', video]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', audio]);
  const browser = await launchChromium({ ...DESKTOP, args: fakeCaptureArgs(video, audio) });
  try {
    await app.events.create(
      {
        id: EVENT_ID,
        name: 'Cup Final',
        sport: 'football',
        home: { name: 'Northside Rovers' },
        away: { name: 'Harbour City' },
        destinations: [
          { id: 'youtube', kind: 'youtube', label: 'YouTube', streamKey: 'screenshot-not-a-real-key' },
          { id: 'twitch', kind: 'twitch', label: 'Twitch', streamKey: 'screenshot-not-a-real-key' },
        ],
        channels: { youtube: 'dQw4w9WgXcQ', twitch: 'pitchside' },
      },
      { sources: testSources(4) },
    );
    const keys = Object.fromEntries(
      (await app.apiKeys.ensureEventKeys(EVENT_ID)).map((k) => [k.role, k.key]),
    ) as Record<EventRole, string>;
    for (const command of MATCH) {
      const response = await fetch(`${origin}/api/events/${EVENT_ID}/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.director}`, 'content-type': 'application/json' },
        body: JSON.stringify(command),
      });
      if (!response.ok) throw new Error(`${command.type}: HTTP ${response.status} ${await response.text()}`);
    }
    // So the scorebug and the logo pickers show a crest.
    const crest = join(media, 'crest.png');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', CREST_FILTER, '-frames:v', '1', crest]);
    const logo = await fetch(`${origin}/api/events/${EVENT_ID}/teams/home/logo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'image/png' },
      body: readFileSync(crest),
    });
    if (!logo.ok) throw new Error(`home logo: HTTP ${logo.status} ${await logo.text()}`);
    const joinCode = (await app.events.require(EVENT_ID)).joinCode;
    const url = (page: string, role: EventRole, extra = '') =>
      `${origin}/${page}?event=${EVENT_ID}&key=${keys[role]}${extra}`;

    const stopMeters = await feedMeters(origin, keys.template);
    const showSound = (selector: string) => async (page: Page) => {
      await page.waitForSelector(`${selector} .master-meter:not(.stale)`);
      await page.$eval(selector, (e) => e.scrollIntoView({ block: 'start' }));
    };
    await shoot(
      browser.newPage(),
      url('director', 'director'),
      DESKTOP,
      'sound-director.png',
      showSound('.mixer-panel'),
    );
    await shoot(
      browser.newPage(),
      url('graphics', 'graphics'),
      DESKTOP,
      'sound-graphics.png',
      showSound('.master-meter-panel'),
    );
    stopMeters();
    await shoot(browser.newPage(), url('director', 'director'), DESKTOP, 'director.png');
    await shoot(browser.newPage(), url('director', 'director'), LAPTOP, 'director-laptop.png');
    await shoot(browser.newPage(), url('graphics', 'graphics'), DESKTOP, 'graphics.png');
    await shoot(browser.newPage(), url('graphics', 'graphics'), LAPTOP, 'graphics-laptop.png');
    await shoot(browser.newPage(), url('watch', 'viewer'), PHONE, 'watch.png');

    // The camera page on air: join as a phone would, then the director takes it.
    const joined = (await (
      await fetch(`${origin}/api/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: joinCode, label: 'North stand' }),
      })
    ).json()) as JoinResponse;
    const camera = await browser.newPage();
    await camera.evaluateOnNewDocument(
      (join: JoinResponse, code: string) => {
        sessionStorage.setItem('pitchside:camera-join', JSON.stringify({ code, join }));
      },
      joined,
      joinCode,
    );
    await fetch(`${origin}/api/events/${EVENT_ID}/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.director}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'program.take', source: joined.camera.id, transition: { type: 'cut' } }),
    });
    await shoot(Promise.resolve(camera), `${origin}/camera?code=${joinCode}`, PHONE, 'camera.png');

    // The event console: a second camera and a second event, so the lists look like a match day.
    await fetch(`${origin}/api/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: joinCode, label: 'Tribune wide' }),
    });
    await app.events.create({
      id: 'u18-semi',
      name: 'U18 Semi-final',
      sport: 'basketball',
      home: { name: 'Lakeside Lynx' },
      away: { name: 'Eastport Eagles' },
    });
    // The viewer page of an event without YouTube or Twitch: the score and the Pitchside chat, two viewers talking.
    const u18Viewer = (await app.apiKeys.ensureEventKeys('u18-semi')).find((k) => k.role === 'viewer')!.key;
    // Another browser profile: another viewer, not this one under a second name.
    const chatter = await (await browser.createBrowserContext()).newPage();
    await chatter.setViewport(PHONE);
    await chatter.goto(`${origin}/watch?event=u18-semi&key=${u18Viewer}`, { waitUntil: 'load' });
    await say(chatter, 'Maya', 'Lynx by ten, calling it now');
    await shoot(browser.newPage(), `${origin}/watch?event=u18-semi&key=${u18Viewer}`, PHONE, 'watch-chat.png', (page) =>
      say(page, 'Jonas', 'Eagles defence looks sharp tonight'),
    );
    await chatter.close();
    const admin = (tab: string) => `${origin}/console?event=${EVENT_ID}&tab=${tab}#key=${ADMIN_KEY}`;
    await shoot(browser.newPage(), admin('live'), DESKTOP, 'console.png');
    await shoot(browser.newPage(), admin('crew'), DESKTOP, 'console-crew.png');
    await shoot(browser.newPage(), admin('setup'), TABLET, 'console-setup.png');
    console.log(`screenshots written to ${OUT_DIR}`);
  } finally {
    await browser.close();
    await app.close();
    await redis.close();
  }
}

const ONLY = process.argv[2] ?? '';

/** Sends one chat line from a watch page and waits until the chat shows it. */
async function say(page: Page, name: string, text: string): Promise<void> {
  await page.waitForSelector('#chat-form');
  await page.$eval('#chat-name', (e, v) => ((e as HTMLInputElement).value = v), name);
  await page.type('#chat-text', text);
  await page.$eval('#chat-send', (e) => (e as HTMLButtonElement).click());
  await page.waitForFunction((t) => document.querySelector('#chat-messages')?.textContent?.includes(t), {}, text);
}

async function shoot(
  pending: Promise<Page>,
  url: string,
  size: { width: number; height: number },
  file: string,
  /** What to do on the page once it is online, before the picture. */
  before: (page: Page) => Promise<void> = async () => undefined,
): Promise<void> {
  const page = await pending;
  if (!file.includes(ONLY)) {
    await page.close();
    return;
  }
  await page.setViewport(size);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.connection === 'online', { timeout: 20_000 });
  await before(page);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  await page.screenshot({ path: resolve(OUT_DIR, file) });
  console.log(`  ${file} ${size.width}×${size.height}`);
  await page.close();
}

await main();
