// A frame number burned into a camera clip as a row of black/white blocks, readable after VP8/H.264 and any
// scaling: the camera → recording latency is measured by reading the same number where the camera page
// shows its own capture and in the recorded MP4. Geometry in the clip's 1280×720 pixels; both readers
// scale the picture to STRIP_READ and sample block centres there, so they read it the same way.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CLIP = { width: 1280, height: 720, fps: 30 } as const;
/** Frames per loop of the clip: latencies are read modulo this (3 s at 30 fps, far above any real latency). */
export const CLIP_FRAMES = 90;
/**
 * Blocks, left to right: one always white (a dark picture, such as the camera-lost slate, is then no
 * number), then the frame number in 7 bits (0…127 ≥ CLIP_FRAMES) of Gray code: one block changes from a
 * frame to the next, so a block caught half-updated (a starved encoder refines a changed picture over
 * several frames) reads as this frame or the one before, never as a number far away.
 */
const DATA_BITS = 7;
const BLOCKS = DATA_BITS + 1;
const BLOCK = 64;
const PITCH = 80;
const MARGIN = 16;
/** The black strip behind the blocks, in clip pixels. */
export const STRIP = {
  x: 48,
  y: 312,
  width: BLOCKS * PITCH + 2 * MARGIN - (PITCH - BLOCK),
  height: BLOCK + 2 * MARGIN,
};
/** Readers scale the strip to this size (1/8) and read pixel (6 + 10k, 6) for block k. */
export const STRIP_READ = { width: STRIP.width / 8, height: STRIP.height / 8 } as const;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

/** Bit k of the Gray code of the frame number n (n xor n>>1), as an ffmpeg expression. */
function grayBit(k: number): string {
  return `mod(floor(n/${2 ** k})+floor(n/${2 ** (k + 1)}),2)`;
}

/** camera-N.y4m (720p30, CLIP_FRAMES frames, the colour, its label and the frame number as blocks). */
export function makeBarcodeClip(dir: string, name: string, label: string, colour: string): string {
  const file = join(dir, `${name}.y4m`);
  const blocks = Array.from({ length: BLOCKS }, (_, k) => {
    const on = k === 0 ? '1' : grayBit(k - 1);
    const x = STRIP.x + MARGIN + k * PITCH;
    return `drawbox=x=${x}:y=${STRIP.y + MARGIN}:w=${BLOCK}:h=${BLOCK}:color=white:t=fill:enable='eq(${on},1)'`;
  });
  const filter = [
    `color=c=${colour.replace('#', '0x')}:s=${CLIP.width}x${CLIP.height}:r=${CLIP.fps}`,
    // The label is for a person looking at the recording; without the font the clip is still complete.
    ...(existsSync(FONT)
      ? [`drawtext=fontfile=${FONT}:text='${label}':x=(w-tw)/2:y=60:fontsize=60:fontcolor=white`]
      : []),
    `drawbox=x=${STRIP.x}:y=${STRIP.y}:w=${STRIP.width}:h=${STRIP.height}:color=black:t=fill`,
    ...blocks,
  ].join(',');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', filter, '-frames:v', String(CLIP_FRAMES)],
    ...['-pix_fmt', 'yuv420p', '-y', file],
  ]);
  return file;
}

/** A sine tone for the fake microphone. */
export function makeTone(dir: string, hz: number): string {
  const file = join(dir, 'tone.wav');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=4`],
    ...['-ac', '1', '-y', file],
  ]);
  return file;
}

/** Luma at or above this is a white block. */
const WHITE = 128;

/** Reads the frame number from a strip scaled to STRIP_READ (8-bit luma, row-major); null if no strip. */
export function readBarcode(luma: ArrayLike<number>, stride: number = STRIP_READ.width): number | null {
  const on = (k: number): boolean => (luma[6 * stride + 6 + 10 * k] ?? 0) >= WHITE;
  if (!on(0)) return null;
  let gray = 0;
  for (let k = 1; k < BLOCKS; k += 1) if (on(k)) gray |= 1 << (k - 1);
  let value = 0;
  for (let g = gray; g !== 0; g >>= 1) value ^= g;
  return value;
}
