// CPU time of process trees from /proc, for the recorder's summary and the benchmarks (Linux only).
import { readFileSync, readdirSync } from 'node:fs';

const CLK_TCK = 100;

interface ProcInfo {
  pid: number;
  ppid: number;
  ticks: number;
  comm: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    // fields after comm: state(0) ppid(1) ... utime(11) stime(12)
    return { pid, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), comm };
  } catch {
    return null;
  }
}

function allProcs(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is ProcInfo => p !== null);
}

/** CPU seconds (user+sys) of the given roots and all their descendants, per pid. */
export function treeCpu(roots: number[]): Map<number, number> {
  const procs = allProcs();
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = new Map<number, number>();
  const stack = roots.map((r) => readProc(r)).filter((p): p is ProcInfo => p !== null);
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p.pid)) continue;
    out.set(p.pid, p.ticks / CLK_TCK);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/** Machine-wide busy CPU seconds (all cores) from /proc/stat. */
export function machineBusySec(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = line as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/** Sums CPU of a set of roots between two snapshots (processes that exited in between are lost). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}
