// Issue 23 §5: a benchmark that starts on a busy machine measures the load, so every bench refuses (exit 2,
// a line saying why) to run above a 1-minute load of 1.5 unless BENCH_ALLOW_LOAD=1.
import { describe, expect, it } from 'vitest';
import { BENCH_MAX_START_LOAD, busyMachine } from '../../bench/bench-report.ts';

describe('benchmarks on an idle machine only', () => {
  it('refuses above the load bound unless told to run anyway', () => {
    expect(busyMachine(0.4, {})).toBeNull();
    expect(busyMachine(BENCH_MAX_START_LOAD, {})).toBeNull();
    expect(busyMachine(3.2, {})).toMatch(/1-minute load average is 3\.20, above 1\.5/);
    expect(busyMachine(3.2, { BENCH_ALLOW_LOAD: '1' })).toBeNull();
  });
});
