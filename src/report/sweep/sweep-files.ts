// After a sweep ran: its report from every record of its run (a resumed sweep's earlier ones
// too) as <out>/sweeps/<run-id>.{md,csv,json}; the Markdown is printed. The site's page comes
// from `leaderboard`, which finds sweeps in any records (and merges a sweep's shards).
import { join, resolve } from 'node:path';
import { readRecords } from '../../records/reader.js';
import { writeOutputFiles } from '../../util/output-file.js';
import { buildSweepReports } from './sweep-report.js';
import { sweepCsv, sweepJson, sweepMarkdown } from './sweep-tables.js';

export async function writeSweepFiles(
  recordsPath: string,
  runId: string,
  out: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<string[]> {
  const { records } = await readRecords([recordsPath]);
  const reports = await buildSweepReports(records.filter((r) => r.runId === runId));
  if (reports.length === 0) {
    log('No configuration produced a measurement: no sweep report written.');
    return [];
  }
  const dir = join(resolve(out), 'sweeps');
  const files = {
    [`${runId}.md`]: reports.map(sweepMarkdown).join('\n'),
    [`${runId}.csv`]: sweepCsv(reports),
    [`${runId}.json`]: sweepJson(reports),
  };
  const paths = await writeOutputFiles(dir, files);
  print(`\n${files[`${runId}.md`]}`);
  log(`Sweep report: ${paths.join(', ')} (the site's page: npm run leaderboard, site/sweeps.html)`);
  return paths;
}
