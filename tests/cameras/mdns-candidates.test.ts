// The LAN path when a receiving page hides its address: an operator's everyday browser offers a page
// without camera permission only mDNS names (`<uuid>.local`) as host candidates, which a phone on venue
// Wi-Fi often cannot resolve (multicast filtered). The camera page has camera permission, so it offers its
// real address; the receiver's checks reach it, and the phone learns the receiver's address from them
// (a peer-reflexive candidate). This test runs the director in a browser that hides its address and
// checks that the candidates it sent were mDNS names and that its tile plays the camera.
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../runtime/chromium.ts';
import type { MediaSignalDelivery } from '../../protocol/index.ts';
import { colourDistance, hexToRgb } from '../worker/media-checks.ts';
import { CAMERA_COLOUR, DirectCameraStack } from './direct-camera-stack.ts';

/** Max channel difference between the tile's centre and the camera colour (VP8 and scaling). */
const COLOUR_TOLERANCE = 30;
const MDNS_NAME = /\.local$/;

const stack = new DirectCameraStack();
let operatorBrowser: Browser;
beforeAll(async () => {
  await stack.start();
  operatorBrowser = await launchChromium({ width: 1920, height: 1080, mdnsHostCandidates: true });
}, 120_000);
afterAll(async () => {
  await operatorBrowser?.close();
  await stack.close();
}, 60_000);

interface SeenCandidate {
  address: string;
  type: string;
}

describe('direct camera to a receiver that hides its address behind mDNS', () => {
  it('connects on the LAN without resolving the .local names', async () => {
    const { page: phone, camera } = await stack.joinCamera('Touchline');
    // What the camera is told about its receivers: the candidates in the signalling frames its page gets.
    const candidates: SeenCandidate[] = [];
    const cdp = await phone.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketFrameReceived', ({ response }) => {
      const frame = JSON.parse(response.payloadData) as Partial<MediaSignalDelivery>;
      if (frame.type !== 'media.signal') return;
      const lines = [frame.candidate?.candidate ?? '', ...(frame.description?.sdp.split(/\r?\n/) ?? [])];
      for (const line of lines) {
        // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
        const fields = /candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ (\S+)/.exec(line);
        if (fields !== null) candidates.push({ address: fields[1] ?? '', type: fields[2] ?? '' });
      }
    });

    const director = await stack.openDirector(operatorBrowser);
    const tile = await stack.tilePicture(director, camera.id);
    expect(colourDistance(tile.rgb, hexToRgb(CAMERA_COLOUR)), JSON.stringify(tile)).toBeLessThanOrEqual(
      COLOUR_TOLERANCE,
    );

    const hosts = candidates.filter((c) => c.type === 'host');
    // The director's browser really hid its address: every host candidate it sent is an mDNS name.
    expect(hosts.length, JSON.stringify(candidates)).toBeGreaterThan(0);
    expect(
      hosts.every((c) => MDNS_NAME.test(c.address)),
      JSON.stringify(candidates),
    ).toBe(true);
    await director.close();
    await phone.close();
  }, 180_000);
});
