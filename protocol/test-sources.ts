// Built-in test sources: exact colours and tones, so that a check can read pixels and hear the program.
import type { Source } from './state.ts';

export const TEST_SOURCE_COLOURS = [
  '#d62728',
  '#1f77b4',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
] as const;

export const TEST_SOURCE_COUNT = TEST_SOURCE_COLOURS.length;

/**
 * The region every test source leaves plain (no label, marker or counter) and no graphic covers in its
 * default position: checks sample it to tell which source is on program.
 */
export const CHECK_REGION = { x0: 0.02, x1: 0.12, y0: 0.4, y1: 0.6 } as const;

const TEST_ID = /^camera-([1-8])$/;

/** 1-based number of a test source id (`camera-3` → 3), or null. */
export function testSourceNumber(id: string): number | null {
  const match = TEST_ID.exec(id);
  return match ? Number(match[1]) : null;
}

export function testSourceColour(n: number): string {
  const colour = TEST_SOURCE_COLOURS[n - 1];
  if (colour === undefined) throw new RangeError(`Test sources are numbered 1..${TEST_SOURCE_COUNT}, not ${n}.`);
  return colour;
}

/** Test source N's tone: 200 + 200·N Hz. */
export function testSourceToneHz(n: number): number {
  return 200 + 200 * n;
}

export function testSources(count: number): Source[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `camera-${i + 1}`,
    label: `Camera ${i + 1}`,
    kind: 'test' as const,
  }));
}
