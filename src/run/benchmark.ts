// `bench` as a function: plan, then execute, then the summary. The library's runBenchmark().
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAllTasks } from '../../tasks/index.js';
import { selectMeter } from '../meters/index.js';
import { checkDevice } from '../model/device.js';
import { provideHint, resolveHubConfig } from '../model/hub.js';
import { loadRegistry, type ModelRegistry } from '../model/registry.js';
import { buildBoard } from '../report/board.js';
import { markdownSections } from '../report/render/markdown.js';
import { UserError, errorCode } from '../util/errors.js';
import { executePlan, type BenchResult } from './execute.js';
import { completePlan, draftPlan, type BenchRequest, type Log } from './plan.js';

export type { BenchRequest } from './plan.js';
export type { BenchResult } from './execute.js';

/** models.json (or another registry file) checked against the registered tasks. */
export async function openRegistry(path?: string): Promise<ModelRegistry> {
  return loadRegistry(await loadAllTasks(), path);
}

function ensureWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UserError(`Cannot write results to ${dir}: ${errorCode(err)}`);
  }
}

/** A shell word: quoted when it holds anything a shell would read differently. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command that resumes a run, with every flag that located it (pasting it must work). */
function resumeCommand(request: BenchRequest, runId: string): string {
  const flags: [string, string | undefined][] = [
    ['--resume', runId],
    ['--out', request.out !== 'results' ? request.out : undefined],
    ['--hub', request.hub],
    ['--cache', request.cache],
    ['--models-file', request.modelsFile],
  ];
  const given = flags
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([flag, value]) => `${flag} ${shellWord(value)}`);
  return `npm run bench -- ${given.join(' ')}`;
}

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

export async function runBenchmark(request: BenchRequest, log: Log = stderrLog): Promise<BenchResult> {
  const registry = await openRegistry(request.modelsFile);
  const hub = resolveHubConfig(request);
  const runsDir = join(resolve(request.out), 'runs');
  ensureWritable(runsDir);
  const draft = await draftPlan(request, registry, runsDir);
  const { meter, notes } = await selectMeter(draft.settings.meter, { cpuWatts: draft.settings.cpuWatts });
  for (const n of notes) log(n);
  await checkDevice(draft.settings.device);
  const plan = await completePlan(draft, { hub, runsDir, strict: request.strict, runId: request.runId, log });
  const result = await executePlan(plan, {
    registry,
    hub,
    meter,
    runsDir,
    resumed: draft.resumed !== undefined,
    resumeCommand: resumeCommand(request, plan.runId),
    log,
  }).finally(() => meter.close()); // the meter's samplers (one nvidia-smi per run) end with the run
  const { records } = result;
  process.stdout.write(
    records.some((r) => r.status === 'ok')
      ? `\n${markdownSections(await buildBoard(records)).trimEnd()}\n`
      : '\nNo model produced a measurement.\n',
  );
  const skipped = records.filter((r) => r.status === 'skipped');
  const errors = records.filter((r) => r.status === 'error');
  const ran = new Set(records.filter((r) => r.status === 'ok').map((r) => r.model)).size;
  log(
    `\n${ran} model(s) measured, ${new Set(skipped.map((r) => r.model)).size} skipped (not available offline), ` +
      `${new Set(errors.map((r) => r.model)).size} failed. Records: ${result.recordsPath}`,
  );
  if (skipped.length > 0) log(`Skipped models are listed above with where joulebench looked. ${provideHint}`);
  return result;
}
