// Prints the test files that failed in a vitest JSON report, one per line (none when the report is missing:
// a runner that crashed before writing it is not retried).
import { existsSync, readFileSync } from 'node:fs';

const report = process.argv[2] ?? '';
if (existsSync(report))
  for (const file of JSON.parse(readFileSync(report, 'utf8')).testResults)
    if (file.status === 'failed') console.log(file.name);
