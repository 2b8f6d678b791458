// The plan file beside a run's records: <out>/runs/<run-id>.plan.json, written whole.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { PlanSchema, type Plan } from '../schema/run-plan.js';
import { readJsonFile } from '../util/json-file.js';

export function planPath(runsDir: string, runId: string): string {
  return `${runsDir}/${runId}.plan.json`;
}

/** Written whole (temp file, fsync, rename): a crash never leaves half a plan. */
export function writePlan(path: string, plan: Plan): void {
  const tmp = `${path}.partial`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, `${JSON.stringify(PlanSchema.parse(plan), null, 2)}\n`);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

export function readPlan(path: string): Plan {
  return readJsonFile(path, PlanSchema, 'run plan');
}
