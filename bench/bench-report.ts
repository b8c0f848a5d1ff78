// What every benchmark's JSON says about the run besides its figures, and the statistics they share.
import { cpus, loadavg } from 'node:os';

/** A run that starts above this 1-minute load average measures the load, not Pitchside. */
export const BENCH_MAX_START_LOAD = 1.5;

/**
 * Why a benchmark must not start now (the 1-minute load is above BENCH_MAX_START_LOAD: another test, a build,
 * a helper is running), or null when it may; BENCH_ALLOW_LOAD=1 lets it run anyway (its JSON still says the load).
 */
export function busyMachine(load1: number, env: NodeJS.ProcessEnv = process.env): string | null {
  if (load1 <= BENCH_MAX_START_LOAD || env['BENCH_ALLOW_LOAD'] === '1') return null;
  return `refused: the 1-minute load average is ${load1.toFixed(2)}, above ${BENCH_MAX_START_LOAD}: a figure taken now describes the load, not Pitchside. Wait for an idle machine (no tests, builds or other benchmarks), or set BENCH_ALLOW_LOAD=1 to run anyway.`;
}

/**
 * The load averages before a run; exits with code 2 and a line saying why when the machine is busy
 * (busyMachine). Every benchmark calls it first.
 */
export function idleLoadOrExit(): number[] {
  const load = loadavg();
  const why = busyMachine(load[0] ?? 0);
  if (why !== null) {
    console.error(`bench: ${why}`);
    process.exit(2);
  }
  return load;
}

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
