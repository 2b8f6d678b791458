// Resuming a run: find its plan, repair a torn last record line, and list the cells that
// already have a finished record.
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors.js';
import { cellKey, planPath, readPlan, unitKey, type Plan } from './plan.js';
import { RunRecordSchema } from './records.js';

/** `--resume <run-id>` or `--resume latest` -> the plan in <runsDir>. */
export function findPlan(runsDir: string, id: string): Plan {
  const plans = existsSync(runsDir) ? readdirSync(runsDir).filter((f) => f.endsWith('.plan.json')) : [];
  if (id === 'latest') {
    if (plans.length === 0) throw new UserError(`--resume latest: no run plans in ${runsDir}`);
    return plans.map((f) => readPlan(join(runsDir, f))).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
  }
  const path = planPath(runsDir, id);
  if (!existsSync(path)) {
    const known = plans.map((f) => f.replace(/\.plan\.json$/, '')).sort().slice(-5);
    throw new UserError(
      `--resume ${id}: no such run in ${runsDir}` + (known.length > 0 ? ` (latest runs: ${known.join(', ')})` : ' (no runs there)'),
    );
  }
  return readPlan(path);
}

/**
 * A power cut can leave the record file ending in half a line. Appending after it would
 * glue the next record onto the fragment, so the fragment is moved aside (kept for
 * inspection) and reported; its cell simply has no record and runs again.
 */
export function repairTornTail(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return undefined;
  const cut = bytes.lastIndexOf(0x0a) + 1;
  const aside = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  writeFileSync(aside, bytes.subarray(cut));
  truncateSync(path, cut);
  return `${path} ended in an incomplete record (${bytes.length - cut} bytes, interrupted write?): moved to ${aside}; that cell runs again`;
}

export interface Finished {
  /** cellKey of every cell with an "ok" record. */
  ok: Set<string>;
  /** unitKey of every unit that already has a "skipped" line, so a resume does not repeat it. */
  skipped: Set<string>;
  /** Lines that could not be read (reported, never merged). */
  warnings: string[];
}

export function finishedCells(path: string): Finished {
  const done: Finished = { ok: new Set(), skipped: new Set(), warnings: [] };
  if (!existsSync(path)) return done;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = RunRecordSchema.safeParse((() => {
        try {
          return JSON.parse(line);
        } catch {
          return undefined;
        }
      })());
      if (!parsed.success) {
        done.warnings.push(`${path}:${i + 1}: unreadable record line, ignored`);
        return;
      }
      const r = parsed.data;
      if (r.status === 'ok') done.ok.add(cellKey({ task: r.task, model: r.model, dataset: r.dataset }, r.settings.repetition ?? 0));
      if (r.status === 'skipped') done.skipped.add(unitKey(r));
    });
  return done;
}
