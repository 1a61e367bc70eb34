import { mkdirSync, writeFileSync } from 'node:fs';
import { measureResponseOverhead } from './response-overhead.js';

/** `npm run bench`: every benchmark, printed as a table and written to bench/results/bench.json. */
const overhead = await measureResponseOverhead();
const rows: [string, string, string][] = [
  ['simple response overhead p50', `${overhead.overheadMs.p50} ms`, '-'],
  ['simple response overhead p99', `${overhead.overheadMs.p99} ms`, '-'],
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/bench.json', `${JSON.stringify({ at: new Date().toISOString(), responseOverhead: overhead }, null, 2)}\n`);
const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`${'measure'.padEnd(width)}  ${'value'.padStart(12)}  target\n`);
for (const [name, value, target] of rows) process.stdout.write(`${name.padEnd(width)}  ${value.padStart(12)}  ${target}\n`);
