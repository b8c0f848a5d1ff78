// Debian's Chromium driven by puppeteer-core: never a downloaded browser. One launch recipe for the
// recorder, template tests, page tests and screenshots, so that all of them measure the same browser.
import { launch, type Browser, type LaunchOptions } from 'puppeteer-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * No GPU here (as in Egress's Chrome), no network but loopback, and no throttling of a page nobody looks
 * at: a program output renders at full rate whether or not a window is visible.
 */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
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
] as const;

export interface ChromiumOptions {
  width?: number;
  height?: number;
  /** Extra flags after the defaults (a later flag wins). */
  args?: string[];
  /** Keep audio audible to capture (the recorder); muted everywhere else. */
  audible?: boolean;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const args = CHROMIUM_FLAGS.filter((flag) => !(options.audible === true && flag === '--mute-audio'));
  const launchOptions: LaunchOptions = {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...args, ...(options.args ?? [])],
    defaultViewport: { width: options.width ?? 1280, height: options.height ?? 720 },
  };
  return launch(launchOptions);
}
