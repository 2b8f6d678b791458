// Resuming a run: find its plan, repair a torn last record line, and list the cells that
// already have a finished record.
import { existsSync, readFileSync, readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { planPath, readPlan } from '../records/plan-file.js';
import { writeWholeFile } from '../records/whole-file.js';
import { parseRecordLines } from '../records/reader.js';
import type { RunRecord } from '../schema/result-record.js';
import type { Plan } from '../schema/run-plan.js';
import { UserError, writeErrorOf } from '../util/errors.js';
import { stopFigure } from './stopping.js';
import { cellKey, recordUnit, unitKey } from './units.js';

/**
 * `--resume <run-id>` or `--resume latest` -> the plan in <runsDir>. For `latest`, a plan file
 * that cannot be read (corrupt, foreign, unreadable) is skipped with a warning naming it: one
 * bad file must not block every other run in the folder.
 */
export function findPlan(runsDir: string, id: string, warn: (line: string) => void = () => {}): Plan {
  const plans = existsSync(runsDir) ? readdirSync(runsDir).filter((f) => f.endsWith('.plan.json')) : [];
  if (id === 'latest') {
    if (plans.length === 0) throw new UserError(`--resume latest: no run plans in ${runsDir}`);
    const readable = plans.flatMap((f) => {
      try {
        return [readPlan(join(runsDir, f))];
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        warn(`warning: skipping ${join(runsDir, f)}: ${err.message}`);
        return [];
      }
    });
    if (readable.length === 0) throw new UserError(`--resume latest: no readable run plan in ${runsDir}`);
    return readable.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1)!;
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
 * inspection) and reported; its cell simply has no record and runs again. The fragment is
 * copied out whole before the record file is cut: on a full disk nothing changes (WriteError).
 */
export function repairTornTail(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return undefined;
  const cut = bytes.lastIndexOf(0x0a) + 1;
  const aside = `${path}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  writeWholeFile(aside, bytes.subarray(cut), 'wx');
  try {
    truncateSync(path, cut);
  } catch (err) {
    throw writeErrorOf(path, err);
  }
  return `${path} ended in an incomplete record (${bytes.length - cut} bytes, interrupted write?): moved to ${aside}; that cell runs again`;
}

export interface Finished {
  /** cellKey of every cell with an "ok" record. */
  ok: Set<string>;
  /**
   * unitKey -> the line that already reported the unit as unavailable (a "skipped" line, or an
   * "error" line without a repetition), so a resume does not repeat it, yet still counts it.
   */
  reported: Map<string, RunRecord>;
  /** Lines that could not be read (reported, never merged). */
  warnings: string[];
  /** unitKey -> its ok records' stop figures (J/1k) by repetition, and whether one says the unit stopped (--target-ci). */
  units: Map<string, { figures: Map<number, number>; stopped: boolean }>;
}

/** An empty Finished: a new run has recorded nothing. */
export function nothingFinished(): Finished {
  return { ok: new Set(), reported: new Map(), warnings: [], units: new Map() };
}

export function finishedCells(path: string): Finished {
  const done = nothingFinished();
  if (!existsSync(path)) return done;
  const { records, warnings } = parseRecordLines(readFileSync(path, 'utf8'), path);
  done.warnings.push(...warnings.map((w) => `${w} (that cell runs again)`));
  for (const r of records) {
    const key = unitKey(recordUnit(r));
    if (r.status === 'ok') {
      done.ok.add(cellKey(recordUnit(r), r.settings.repetition ?? 0));
      const unit = done.units.get(key) ?? { figures: new Map(), stopped: false };
      unit.figures.set(r.settings.repetition ?? 0, stopFigure(r));
      unit.stopped ||= r.stoppedBecause !== undefined;
      done.units.set(key, unit);
    }
    if (r.status === 'skipped' || (r.status === 'error' && r.settings.repetition === null)) done.reported.set(key, r);
  }
  return done;
}

/** Complete lines in a record file: what a message about a stopped run says is kept. */
export function countRecords(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim() !== '').length;
}
