// Resuming a run: find its plan, repair a torn last record line, and list the cells that
// already have a finished record.
import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planPath, readPlan } from '../records/plan-file.js';
import { parseRecordLines } from '../records/reader.js';
import type { Plan } from '../schema/run-plan.js';
import { UserError } from '../util/errors.js';
import { cellKey, unitKey } from './units.js';

/** `--resume <run-id>` or `--resume latest` -> the plan in <runsDir>. */
export function findPlan(runsDir: string, id: string): Plan {
  const plans = existsSync(runsDir) ? readdirSync(runsDir).filter((f) => f.endsWith('.plan.json')) : [];
  if (id === 'latest') {
    if (plans.length === 0) throw new UserError(`--resume latest: no run plans in ${runsDir}`);
    return plans
      .map((f) => readPlan(join(runsDir, f)))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .at(-1)!;
  }
  const path = planPath(runsDir, id);
  if (!existsSync(path)) {
    const known = plans
      .map((f) => f.replace(/\.plan\.json$/, ''))
      .sort()
      .slice(-5);
    throw new UserError(
      `--resume ${id}: no such run in ${runsDir}${known.length > 0 ? ` (latest runs: ${known.join(', ')})` : ' (no runs there)'}`,
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
  /**
   * unitKey of every unit already reported as unavailable (a "skipped" line, or an "error" line
   * without a repetition), so a resume does not repeat it.
   */
  reported: Set<string>;
  /** Lines that could not be read (reported, never merged). */
  warnings: string[];
}

export function finishedCells(path: string): Finished {
  const done: Finished = { ok: new Set(), reported: new Set(), warnings: [] };
  if (!existsSync(path)) return done;
  const { records, warnings } = parseRecordLines(readFileSync(path, 'utf8'), path);
  done.warnings.push(...warnings.map((w) => `${w} (that cell runs again)`));
  for (const r of records) {
    if (r.status === 'ok') done.ok.add(cellKey(r, r.settings.repetition ?? 0));
    if (r.status === 'skipped' || (r.status === 'error' && r.settings.repetition === null))
      done.reported.add(unitKey(r));
  }
  return done;
}
