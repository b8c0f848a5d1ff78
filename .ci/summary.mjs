// Sums the CI passes' vitest JSON reports into the closing `N passed, N failed` line. A file that failed in
// a pass and was run again alone (report `<pass>.rerun.json`) counts with its second result, and every test
// that failed first and passed alone is printed by name as FLAKY: visible in every CI log, never hidden.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const status = Number(process.argv[2] ?? '1');
const read = (file) => JSON.parse(readFileSync(`.ci/${file}`, 'utf8'));
const count = (results) => {
  const sum = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const file of results)
    for (const test of file.assertionResults) {
      sum.total += 1;
      if (test.status === 'passed') sum.passed += 1;
      else if (test.status === 'failed') sum.failed += 1;
      else sum.skipped += 1;
    }
  return sum;
};

const total = { passed: 0, failed: 0, skipped: 0, total: 0 };
const flaky = [];
for (const name of readdirSync('.ci').filter((f) => /^report.*\.json$/.test(f) && !f.endsWith('.rerun.json'))) {
  let results = read(name).testResults;
  const rerunName = name.replace(/\.json$/, '.rerun.json');
  if (existsSync(`.ci/${rerunName}`)) {
    const again = read(rerunName).testResults;
    const rerunFiles = new Set(again.map((f) => f.name));
    for (const file of results.filter((f) => rerunFiles.has(f.name)))
      for (const test of file.assertionResults.filter((t) => t.status === 'failed')) {
        const second = again.find((f) => f.name === file.name)?.assertionResults.find((t) => t.fullName === test.fullName);
        if (second?.status === 'passed') flaky.push(`${name.replace(/\.json$/, '')}: ${test.fullName}`);
      }
    results = [...results.filter((f) => !rerunFiles.has(f.name)), ...again];
  }
  const sum = count(results);
  for (const key of Object.keys(total)) total[key] += sum[key];
}
for (const line of flaky) console.log(`FLAKY (failed beside other files, passed alone): ${line}`);
// A failed lint, typecheck, build or crashed runner counts as a failure even when no test reported one.
const failed = total.failed || (status !== 0 ? 1 : 0);
console.log(`${total.passed} passed, ${failed} failed` + (total.skipped ? `, ${total.skipped} skipped` : ''));
process.exit(status !== 0 || failed > 0 || total.total === 0 ? 1 : 0);
