// `compare --paper <name>`: reads the records and the paper's reference figures, writes
// <out>/compare-<paper>.md and prints it.
import { join, relative, resolve } from 'node:path';
import { readRecords } from '../../records/reader.js';
import { UserError, unknownName } from '../../util/errors.js';
import { checkWritableDir } from '../../util/out-dir.js';
import { writeOutputFiles } from '../../util/output-file.js';
import { packagePath, packageRoot } from '../../util/paths.js';
import { buildBoard } from '../board.js';
import { renderComparison } from './comparison.js';
import { PAPERS } from './papers.js';
import { readReferences } from './references.js';

interface CompareOptions {
  paper: string;
  in: string[];
  out: string;
  /** Reference CSV; default: the paper's file under benchmarks/references/. */
  references?: string | undefined;
  generatedAt?: Date | undefined;
}

export async function runCompare(
  options: CompareOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  print: (text: string) => void = (t) => process.stdout.write(t),
) {
  const paper = Object.hasOwn(PAPERS, options.paper) ? PAPERS[options.paper] : undefined;
  if (!paper) throw unknownName('paper', options.paper, Object.keys(PAPERS));
  const out = checkWritableDir(options.out, '--out', options.out); // before anything is read or made
  const referencesPath = options.references ? resolve(options.references) : packagePath(paper.referencesFile);
  const references = await readReferences(referencesPath);
  const { records, warnings, files } = await readRecords(options.in.map((p) => resolve(p)));
  for (const w of warnings) log(`warning: ${w}`);
  if (records.length === 0) {
    throw new UserError(
      `No result records found in ${options.in.join(', ')}. Run \`npm run bench -- --task <task>\` first.`,
    );
  }
  const board = await buildBoard(records, { rankBy: 'gross' }); // the paper's figures are gross: compare like with like
  const shownPath = options.references ? options.references : relative(packageRoot, referencesPath);
  const markdown = renderComparison({
    records,
    board,
    references,
    referencesPath: shownPath,
    paper,
    generatedAt: options.generatedAt,
  });
  const path = join(out, `compare-${paper.id}.md`);
  await writeOutputFiles(out, { [`compare-${paper.id}.md`]: markdown });
  print(markdown);
  log(`\nRead ${records.length} record(s) from ${files.length} file(s); wrote ${path}`);
  return { markdown, path };
}
