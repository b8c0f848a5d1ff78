// Debian's Chromium driven by puppeteer-core: never a downloaded browser. One launch recipe for the
// recorder, template tests, page tests and screenshots, so that all of them measure the same browser.
import { launch, type Browser, type HTTPRequest, type LaunchOptions, type Page } from 'puppeteer-core';
import { DEFAULT_CHROMIUM_PATH } from './config.ts';
import { OutboundRefused, type OutboundPolicy } from './outbound-policy.ts';

/**
 * No GPU here (as in Egress's Chrome), no network but loopback, and no throttling of a page nobody looks
 * at: a program output renders at full rate whether or not a window is visible.
 */
/**
 * Pages without camera permission (the recorder's template, monitors) would offer only mDNS names as host
 * ICE candidates, which phones on venue Wi-Fi often cannot resolve: program renderers that receive direct
 * cameras offer their real LAN address instead.
 */
const MDNS_OFF_FLAG = '--disable-features=WebRtcHideLocalIpsWithMdns';

export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--mute-audio',
  MDNS_OFF_FLAG,
] as const;

/**
 * A fake camera and microphone (a phone in tests and benchmarks): Chromium plays the files in a loop as the
 * default devices and grants the page access without asking. The video must be y4m (or mjpeg).
 */
export function fakeCaptureArgs(video: string, audio: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    `--use-file-for-fake-audio-capture=${audio}`,
  ];
}

export interface ChromiumOptions {
  width?: number;
  height?: number;
  /** Extra flags after the defaults (a later flag wins). */
  args?: string[];
  /** Keep audio audible to capture (the recorder); muted everywhere else. */
  audible?: boolean;
  /** The Chromium binary; default DEFAULT_CHROMIUM_PATH. */
  executablePath?: string;
  /**
   * Host ICE candidates as mDNS names (`<uuid>.local`), as an operator's everyday browser offers them for a
   * page without camera permission: tests of what the director's and graphics pages meet on a LAN.
   */
  mdnsHostCandidates?: boolean;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const args = CHROMIUM_FLAGS.filter(
    (flag) =>
      !(options.audible === true && flag === '--mute-audio') &&
      !(options.mdnsHostCandidates === true && flag === MDNS_OFF_FLAG),
  );
  const launchOptions: LaunchOptions = {
    executablePath: options.executablePath ?? DEFAULT_CHROMIUM_PATH,
    headless: true,
    args: [...args, ...(options.args ?? [])],
    defaultViewport: { width: options.width ?? 1280, height: options.height ?? 720 },
    // CDP over a pipe: Chromium exits with the process that launched it, however that process ends.
    pipe: true,
  };
  return launchSandboxed(launchOptions);
}

/** null until a launch has shown whether this machine gives Chromium its sandbox. */
let sandboxWorks: boolean | null = null;

/**
 * Chromium with its sandbox wherever the platform allows it: a page it renders (the template, and the
 * media URLs a director adds) then cannot reach the rest of the machine even through a renderer bug.
 * It refuses to sandbox as root, and containers often deny the user namespaces it needs (Docker's
 * default seccomp profile does): there it runs without, once a launch has failed for that reason.
 */
export async function launchSandboxed(options: LaunchOptions): Promise<Browser> {
  const unsandboxed = { ...options, args: [...(options.args ?? []), '--no-sandbox'] };
  if (sandboxWorks === false || process.getuid?.() === 0) return launch(unsandboxed);
  try {
    const browser = await launch(options);
    sandboxWorks = true;
    return browser;
  } catch (error) {
    if (!/sandbox|namespace/i.test(String(error))) throw error;
    sandboxWorks = false;
    process.emitWarning(`Chromium runs without its sandbox here: ${String(error).split('\n')[0]}`);
    return launch(unsandboxed);
  }
}

export interface OutboundGuardOptions {
  policy: OutboundPolicy;
  /** Origins the page may always load from (its own: the controller, often on loopback). */
  trustedOrigins: readonly string[];
  onRefused?: (url: string, reason: string) => void;
}

/** Schemes a page needs that never leave the browser. */
const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

/**
 * Every request the page makes checked against the outbound policy when it is made: a media URL that
 * resolved to a public address when a director added it but points at 127.0.0.1 or the metadata
 * service now (DNS rebinding) is refused here. (WebRTC and WebSocket connections are not requests:
 * the page opens those only to LiveKit and its own origin.)
 */
export async function guardOutboundRequests(page: Page, options: OutboundGuardOptions): Promise<void> {
  const trusted = new Set(options.trustedOrigins);
  await page.setRequestInterception(true);
  page.on('request', (request: HTTPRequest) => {
    void decide(request.url())
      .then(
        (reason) => (reason === null ? request.continue() : request.abort('accessdenied')),
        () => request.abort('failed'),
      )
      .catch(() => undefined); // the page may be gone by now
  });

  async function decide(url: string): Promise<string | null> {
    const parsed = new URL(url);
    if (LOCAL_SCHEMES.has(parsed.protocol) || trusted.has(parsed.origin)) return null;
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return refuse(url, `${parsed.protocol} is not allowed`);
    try {
      await options.policy.check(url);
      return null;
    } catch (error) {
      if (!(error instanceof OutboundRefused)) throw error;
      return refuse(url, error.message);
    }
  }

  function refuse(url: string, reason: string): string {
    options.onRefused?.(url, reason);
    return reason;
  }
}
