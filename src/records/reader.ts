// Reads result records back: every *.jsonl under the given paths; corrupt or invalid lines are
// skipped with a warning naming file and line, and a measurement found twice counts once.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RunRecordSchema, type RunRecord } from '../schema/result-record.js';
import { UserError } from '../util/errors.js';

interface ReadResult {
  records: RunRecord[];
  /** One line per skipped input line: "file:line: why". */
  warnings: string[];
  files: string[];
}

/** The given files, whatever their names (named, so meant), and every *.jsonl under the given folders; sorted. */
async function findRecordFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) continue;
    if (info.isFile()) {
      files.push(p);
      continue;
    }
    const entries = await readdir(p, { recursive: true });
    files.push(...entries.filter((e) => e.endsWith('.jsonl')).map((e) => join(p, e)));
  }
  return [...new Set(files)].sort();
}

/** The records of one file's text; unreadable lines become "file:line: why" warnings. */
export function parseRecordLines(text: string, file: string): { records: RunRecord[]; warnings: string[] } {
  const records: RunRecord[] = [];
  const warnings: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warnings.push(`${file}:${i + 1}: not valid JSON (truncated or corrupt line), skipped`);
      return;
    }
    const parsed = RunRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      warnings.push(
        `${file}:${i + 1}: not a joulebench record (${issue?.path.join('.') || 'record'}: ${issue?.message}), skipped`,
      );
      return;
    }
    records.push(parsed.data);
  });
  return { records, warnings };
}

/** What identifies one measurement: the same line copied into two files must count once. */
function measurementKey(r: RunRecord): string {
  const { batchSize, threads, device } = r.settings;
  const config = r.sweep ? [batchSize, threads, device] : []; // a sweep's configurations of one model
  return JSON.stringify([
    r.runId,
    r.status,
    r.task,
    r.dataset.id,
    r.dataset.split,
    r.model,
    r.settings.repetition,
    ...config,
  ]);
}

/**
 * Reads records; corrupt or invalid lines are skipped with a warning naming file and line, and
 * a measurement found twice (a run folder copied under results/) is counted once, with a warning.
 */
export async function readRecords(paths: readonly string[]): Promise<ReadResult> {
  const missing = [];
  for (const p of paths) if (!(await stat(p).catch(() => undefined))) missing.push(p);
  if (missing.length > 0)
    throw new UserError(`No such file or folder: ${missing.join(', ')} (records come from \`npm run bench\`)`);
  const files = await findRecordFiles(paths);
  const records: RunRecord[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const parsed = parseRecordLines(await readFile(file, 'utf8'), file);
    warnings.push(...parsed.warnings);
    for (const r of parsed.records) {
      const key = measurementKey(r);
      const first = seen.get(key);
      if (first !== undefined) {
        warnings.push(
          `${file}: ${r.model} repetition ${r.settings.repetition ?? '-'} of run ${r.runId} is also in ${first}; counted once`,
        );
        continue;
      }
      seen.set(key, file);
      records.push(r);
    }
  }
  return { records, warnings, files };
}
