// The plan file beside a run's records: <out>/runs/<run-id>.plan.json, written whole.
import { renameSync, rmSync } from 'node:fs';
import { PlanSchema, type Plan } from '../schema/run-plan.js';
import { writeErrorOf } from '../util/errors.js';
import { writeWholeFile } from './whole-file.js';
import { readJsonFile } from '../util/json-file.js';

export function planPath(runsDir: string, runId: string): string {
  return `${runsDir}/${runId}.plan.json`;
}

/**
 * Written whole (temp file, checked write, fsync, rename): a crash never leaves half a plan, and
 * a full disk leaves no .partial behind (WriteError).
 */
export function writePlan(path: string, plan: Plan): void {
  const tmp = `${path}.partial`;
  const text = Buffer.from(`${JSON.stringify(PlanSchema.parse(plan), null, 2)}\n`);
  writeWholeFile(tmp, text, 'w');
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeErrorOf(path, err);
  }
}

export function readPlan(path: string): Plan {
  return readJsonFile(path, PlanSchema, 'run plan');
}
