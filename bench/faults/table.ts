// Prints the fault suite's figures (bench/results/faults.json, written by tests/faults) as the README's
// table: `npm run bench:faults` (which runs tests/faults one file at a time, then this).
import { readFileSync } from 'node:fs';
import { FAULT_RESULTS_FILE, type ScenarioResult } from '../../tests/faults/fault-results.ts';

const results = JSON.parse(readFileSync(FAULT_RESULTS_FILE, 'utf8')) as Record<string, ScenarioResult>;
const lines = ['| scenario | measured | load (1 min) |', '|---|---|---|'];
for (const result of Object.values(results)) {
  const figures = Object.values(result.figures)
    .map((f) => `${f.note}: **${f.value}${f.unit === 'count' ? '' : ` ${f.unit}`}**`)
    .join('; ');
  lines.push(`| ${result.title} | ${figures} | ${result.loadAverage1m} |`);
}
const first = Object.values(results)[0];
if (first !== undefined) lines.push('', `${first.cpu}, ${first.cores} cores, Node ${first.node}.`);
console.log(lines.join('\n'));
