// What every benchmark's JSON says about the run besides its figures, and the statistics they share.
import { cpus, loadavg } from 'node:os';

/**
 * When and where a run was measured. The machine is often shared: the 1-, 5- and 15-minute load averages
 * before and after go next to the figures, so a loaded run reads as one.
 */
export function runConditions(loadBefore: number[]): {
  measuredAt: string;
  node: string;
  cpu: { model: string; cores: number };
  loadAverage: { before: number[]; after: number[] };
} {
  return {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    loadAverage: { before: loadBefore, after: loadavg() },
  };
}

/** Nearest-rank percentile of a sample (p in 0…100): the value at or below which p % of the sample lies. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
