// The datasets joulebench's suites and tasks name, as the real Hub's parquet conversion has them
// (config folder, split, column names; from the research notes on the Hub, not from the suite
// files, so a test can hold the suites to them). The rows come from the offline mirror, put back
// into the Hub's columns: a stand-in Hub then serves each dataset under its real name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubDir } from './env.js';
import { writeParquet, type NestedColumn, type ParquetColumn } from './parquet.js';

type MirrorRow = Record<string, unknown>;
/** One Hub column: its parquet type and how a mirror row fills it (`dir`: the mirror dataset's folder). */
interface Column {
  type: 'string' | 'int64' | NestedColumn['type'];
  fill: (row: MirrorRow, dir: string) => unknown;
}

interface HubDataset {
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

const text = (column: string): Column => ({ type: 'string', fill: (row) => String(row[column]) });
const int = (column: string): Column => ({ type: 'int64', fill: (row) => BigInt(row[column] as number) });
const strings = (column: string): Column => ({ type: 'string-list', fill: (row) => row[column] as string[] });
const ints = (column: string): Column => ({
  type: 'int64-list',
  fill: (row) => (row[column] as number[]).map(BigInt),
});
/** A column the mirror left out (CoNLL's POS and chunk tags): zeros, one per token, so the shape is the Hub's. */
const zeros = (like: string): Column => ({
  type: 'int64-list',
  fill: (row) => (row[like] as unknown[]).map(() => 0n),
});
/** A WikiText row as the Hub stores it: leading space, trailing newline (the mirror stripped both). */
const wikitextLine: Column = {
  type: 'string',
  fill: (row) => (row.prompt === '' ? '' : ` ${String(row.prompt)} \n`),
};
/** CIFAR-10's `img` as the Hub's parquet has it: the PNG's bytes in an Image struct (the mirror: a path). */
const imageStruct = (column: string): Column => ({
  type: 'image',
  fill: (row, dir) => ({ bytes: new Uint8Array(readFileSync(join(dir, String(row[column])))), path: null }),
});
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
  {
    id: 'rajpurkar/squad',
    config: 'plain_text',
    split: 'validation',
    columns: {
      id: text('id'),
      title: text('title'),
      context: text('context'),
      question: text('question'),
      answers: { type: 'answers', fill: (row) => row.answers },
    },
    mirror: 'rajpurkar/squad',
    inferred: true,
  },
  {
    id: 'eriktks/conll2003',
    config: 'conll2003',
    split: 'validation',
    columns: {
      id: text('id'),
      tokens: strings('tokens'),
      pos_tags: zeros('tokens'),
      chunk_tags: zeros('tokens'),
      ner_tags: ints('ner_tags'),
    },
    mirror: 'eriktks/conll2003',
    inferred: true,
  },
  {
    id: 'uoft-cs/cifar10',
    config: 'plain_text',
    split: 'test',
    columns: { img: imageStruct('image'), label: int('label') },
    mirror: 'uoft-cs/cifar10',
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
    const mirrorDir = join(hubDir, 'datasets', dataset.mirror);
    const columns = Object.fromEntries(
      Object.entries(dataset.columns).map(([name, { type, fill }]) => {
        const data = source.map((row) => fill(row, mirrorDir));
        return [name, (type === 'string' || type === 'int64' ? data : { type, data }) as ParquetColumn];
      }),
    );
    const dir = join(root, 'datasets', dataset.id, 'refs/convert/parquet', dataset.config, dataset.split);
    writeParquet(join(dir, '0000.parquet'), columns);
  }
}
