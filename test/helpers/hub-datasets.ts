// The datasets joulebench's suites and tasks name, as the real Hub's parquet conversion has them
// (config folder, split, column names; from the research notes on the Hub, not from the suite
// files, so a test can hold the suites to them). The rows come from the offline mirror, put back
// into the Hub's columns: a stand-in Hub then serves each dataset under its real name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubDir } from './env.js';
import { writeParquet } from './parquet.js';

type MirrorRow = Record<string, unknown>;
type Column = (row: MirrorRow) => string | bigint;

export interface HubDataset {
  id: string;
  /** The refs/convert/parquet folder. */
  config: string;
  split: string;
  /** The Hub's columns, in its order, each filled from a mirror row. */
  columns: Record<string, Column>;
  /** Mirror folder the rows come from (Samsung/samsum is gone from the Hub; knkarthick's copy has its rows). */
  mirror: string;
  /** Rows the Hub has before the mirror's first (WikiText's empty lines and headings). */
  leading?: MirrorRow[];
  /** True where the research could not confirm the folder name on the conversion branch. */
  inferred?: boolean;
}

const text =
  (column: string): Column =>
  (row) =>
    String(row[column]);
const int =
  (column: string): Column =>
  (row) =>
    BigInt(row[column] as number);
/** A WikiText row as the Hub stores it: leading space, trailing newline (the mirror stripped both). */
const wikitextLine: Column = (row) => (row.prompt === '' ? '' : ` ${String(row.prompt)} \n`);
const wikitextLeading = [{ prompt: '' }, { prompt: '= Robert Boulter =' }, { prompt: '' }];

export const HUB_DATASETS: readonly HubDataset[] = [
  {
    id: 'stanfordnlp/sst2',
    config: 'default',
    split: 'validation',
    columns: { idx: int('idx'), sentence: text('text'), label: int('label') },
    mirror: 'stanfordnlp/sst2',
  },
  {
    id: 'stanfordnlp/sst2',
    config: 'default',
    split: 'test',
    columns: { idx: int('idx'), sentence: text('text'), label: int('label') },
    mirror: 'stanfordnlp/sst2',
  },
  {
    id: 'cornell-movie-review-data/rotten_tomatoes',
    config: 'default',
    split: 'validation',
    columns: { text: text('text'), label: int('label') },
    mirror: 'cornell-movie-review-data/rotten_tomatoes',
  },
  {
    id: 'stanfordnlp/imdb',
    config: 'plain_text',
    split: 'test',
    columns: { text: text('text'), label: int('label') },
    mirror: 'stanfordnlp/imdb',
  },
  ...['wikitext-2-raw-v1', 'wikitext-103-raw-v1'].map((config) => ({
    id: 'Salesforce/wikitext',
    config,
    split: 'test',
    columns: { text: wikitextLine },
    mirror: 'Salesforce/wikitext',
    leading: wikitextLeading,
  })),
  {
    id: 'EdinburghNLP/xsum',
    config: 'default',
    split: 'test',
    columns: { document: text('document'), summary: text('summary'), id: text('id') },
    mirror: 'EdinburghNLP/xsum',
  },
  {
    id: 'knkarthick/samsum',
    config: 'default',
    split: 'test',
    columns: { id: text('id'), dialogue: text('dialogue'), summary: text('summary') },
    mirror: 'knkarthick/samsum',
    inferred: true,
  },
  {
    id: 'abisee/cnn_dailymail',
    config: '3.0.0',
    split: 'test',
    columns: { article: text('article'), highlights: text('highlights'), id: text('id') },
    mirror: 'abisee/cnn_dailymail',
    inferred: true,
  },
];

/** The first `rows` rows of the mirror's copy (JSON Lines). */
function mirrorRows(dataset: HubDataset, rows: number): MirrorRow[] {
  const path = join(hubDir, 'datasets', dataset.mirror, `${dataset.split}.jsonl`);
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(0, rows);
  return lines.map((l) => JSON.parse(l) as MirrorRow);
}

/** Writes `datasets/<id>/refs/convert/parquet/<config>/<split>/0000.parquet` for every dataset under `root`. */
export function writeHubDatasets(root: string, rows = 6): void {
  for (const dataset of HUB_DATASETS) {
    const source = [...(dataset.leading ?? []), ...mirrorRows(dataset, rows)];
    const columns = Object.fromEntries(
      Object.entries(dataset.columns).map(([name, fill]) => [name, source.map(fill) as string[] | bigint[]]),
    );
    const dir = join(root, 'datasets', dataset.id, 'refs/convert/parquet', dataset.config, dataset.split);
    writeParquet(join(dir, '0000.parquet'), columns);
  }
}
