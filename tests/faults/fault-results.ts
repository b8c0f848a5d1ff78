// The fault suite's measured figures: each scenario merges its own entry into bench/results/faults.json
// (with the CPU model, the 1-minute load average and the Node version it ran on) and prints its line.
// Test files run two at a time, so the read-merge-write is done under an exclusive lock file.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * Where the figures go. `npm test` runs the fault suite on a machine doing other things, so its figures go
 * to a scratch file beside the CI reports, never into the tracked results: `npm run bench:faults` (idle
 * machine, one file at a time) sets FAULT_RESULTS_FILE to bench/results/faults.json.
 */
export const FAULT_RESULTS_FILE = resolve(process.env.FAULT_RESULTS_FILE ?? '.ci/faults.scratch.json');
const LOCK_WAIT_MS = 5000;

/** One figure: a number with its unit, or a count. */
export interface Figure {
  value: number;
  unit: 'ms' | 'frames' | 'takes' | 's' | 'count';
  /** What it measures, in a broadcaster's words (the README table's column). */
  note: string;
}

export interface ScenarioResult {
  title: string;
  figures: Record<string, Figure>;
  measuredAt: string;
  cpu: string;
  loadAverage1m: number;
  cores: number;
  node: string;
}

export async function recordFaultResult(
  scenario: string,
  title: string,
  figures: Record<string, Figure>,
): Promise<ScenarioResult> {
  const entry: ScenarioResult = {
    title,
    figures,
    measuredAt: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    cores: cpus().length,
    node: process.version,
  };
  mkdirSync(dirname(FAULT_RESULTS_FILE), { recursive: true });
  const lock = `${FAULT_RESULTS_FILE}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let fd: number | null = null;
  while (fd === null) {
    try {
      fd = openSync(lock, 'wx');
    } catch {
      // A lock left by a killed run must not block the suite for good.
      if (Date.now() > deadline) rmSync(lock, { force: true });
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    let all: Record<string, ScenarioResult> = {};
    try {
      all = JSON.parse(readFileSync(FAULT_RESULTS_FILE, 'utf8')) as Record<string, ScenarioResult>;
    } catch {
      all = {};
    }
    all[scenario] = entry;
    const sorted = Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(`${FAULT_RESULTS_FILE}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
    renameSync(`${FAULT_RESULTS_FILE}.tmp`, FAULT_RESULTS_FILE);
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
  const line = Object.entries(figures)
    .map(([name, f]) => `${name} ${f.value}${f.unit === 'count' ? '' : ` ${f.unit}`}`)
    .join(', ');
  console.log(`[fault] ${title}: ${line} (load ${entry.loadAverage1m}, ${entry.cpu})`);
  return entry;
}
