// `joulebench stats`: the difference between two models of one group, with its CI and p-value.
import { resolve } from 'node:path';
import { readRecords } from '../../records/reader.js';
import { buildBoard, type RankBy } from '../../report/board.js';
import { renderDifference, rowDifferences } from '../../report/row-difference.js';
import { UserError } from '../../util/errors.js';

interface Flags {
  model: string[];
  rankBy: RankBy;
  json: boolean;
}

export async function stats(paths: string[], opts: Flags): Promise<number> {
  if (opts.model.length !== 2) throw new UserError(`stats needs exactly two --model flags, got ${opts.model.length}`);
  const { records, warnings } = await readRecords(paths.map((p) => resolve(p)));
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const board = await buildBoard(records, { rankBy: opts.rankBy });
  const diffs = rowDifferences(board, opts.model[0]!, opts.model[1]!);
  if (opts.json) process.stdout.write(`${JSON.stringify({ comparisons: diffs }, null, 2)}\n`);
  else process.stdout.write(`${diffs.map(renderDifference).join('\n')}\n`);
  return 0;
}
