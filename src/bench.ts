// `joulebench bench`: resolves everything that can fail on user input before any model runs
// (task or suite, models, meter, output folder, datasets, field mapping, model availability,
// a resumed run's plan), writes the plan, then runs each model in turn and prints what it
// measured. Records are appended as each repetition finishes, so an interruption loses only
// the window in progress.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTask } from '../tasks/index.js';
import { loadDataset } from './datasets/load.js';
import { UserError, errorMessage } from './errors.js';
import { locateModel, provideHint, resolveHubConfig, type HubFlags, type ModelLocation } from './hub.js';
import { selectMeter } from './meters/index.js';
import { checkDevice } from './device.js';
import { measureIdle, type IdleBaseline } from './idle.js';
import { hashModelFiles } from './pipeline.js';
import {
  cellKey,
  cellsOf,
  parseShard,
  planPath,
  shardUnits,
  sortUnits,
  unitKey,
  writePlan,
  PLAN_VERSION,
  type Plan,
  type PlanSettings,
  type PlanUnit,
} from './plan.js';
import { createProgress } from './progress.js';
import { RecordWriter, type RunRecord, type SkippedRecord } from './records.js';
import { loadRegistry, type ModelEntry, type ModelRegistry } from './registry.js';
import { renderTerminalSummary } from './report/markdown.js';
import { finishedCells, findPlan, repairTornTail } from './resume.js';
import { recordBase, runModel, type RunContext } from './runner.js';
import { selectRows, type Selection } from './selection.js';
import { loadSuite } from './suite.js';
import { acceleratorName, describeHardware, describeSoftware } from './system.js';
import type { DatasetSpec, Sample, TaskDef } from './task.js';
import type { LoadedDataset } from './types.js';

export const defaultSettings: PlanSettings = {
  samples: 1000,
  sampleSeed: null,
  batchSize: 1,
  warmup: 10,
  repetitions: 3,
  meter: 'auto',
  cpuWatts: null,
  threads: null,
  device: 'cpu',
  idleSeconds: null,
};

/** Idle baseline length: as set, else 10 s for a measured meter; the estimate only counts this process's CPU time, so it has no idle draw to subtract. */
export function idleSecondsFor(settings: PlanSettings, meterKind: 'measured' | 'estimated'): number {
  return settings.idleSeconds ?? (meterKind === 'measured' ? 10 : 0);
}

export interface BenchOptions extends HubFlags {
  task?: string | undefined;
  suite?: string | undefined;
  models: string[];
  /** Settings typed on the command line; the rest come from the suite, else the defaults. */
  explicit: Partial<PlanSettings>;
  out: string;
  strict: boolean;
  modelsFile?: string | undefined;
  resume?: string | undefined;
  shard?: string | undefined;
  runId?: string | undefined;
}

export interface BenchResult {
  runId: string;
  recordsPath: string;
  records: RunRecord[];
  exitCode: number;
}

/** "20261126T142809Z-3f9a1c": sortable, unique enough across machines, safe in file names. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function ensureWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UserError(`Cannot write results to ${dir}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}

type Log = (line: string) => void;

interface Target {
  task: TaskDef;
  spec: DatasetSpec;
  entries: ModelEntry[];
}

/** What each target needs at run time, prepared before the first model starts. */
interface Prepared {
  target: Target;
  dataset: LoadedDataset;
  selection: Selection;
  located: Map<string, ModelLocation>;
  samples: Map<string, Sample[]>;
}

async function targetsFromArgs(options: BenchOptions, registry: ModelRegistry): Promise<{ targets: Target[]; source: string; suiteSettings: Partial<PlanSettings> }> {
  if (options.task !== undefined && options.suite !== undefined) throw new UserError('Give either --task or --suite, not both');
  if (options.suite !== undefined) {
    if (options.models.length > 0) throw new UserError('--model cannot be combined with --suite: a suite lists its models');
    const suite = loadSuite(options.suite);
    const targets: Target[] = [];
    for (const e of suite.entries) {
      const task = await loadTask(e.task);
      const spec = e.dataset ? { ...task.dataset, ...e.dataset, config: e.dataset.config ?? 'default', description: e.dataset.description ?? `${e.dataset.id} (${e.dataset.split})` } : task.dataset;
      targets.push({ task, spec, entries: registry.select(task.name, e.models ?? []) });
    }
    return { targets, source: `suite ${suite.name}`, suiteSettings: suite.settings ?? {} };
  }
  if (options.task === undefined) throw new UserError('Give --task <name> or --suite <name> (or --resume <run-id>)');
  const task = await loadTask(options.task);
  const entries = registry.select(task.name, options.models);
  if (entries.length === 0) throw new UserError(`No models are registered for task '${task.name}' in models.json`);
  return { targets: [{ task, spec: task.dataset, entries }], source: `task ${task.name}`, suiteSettings: {} };
}

async function targetsFromPlan(plan: Plan, registry: ModelRegistry): Promise<Target[]> {
  return Promise.all(
    plan.targets.map(async (t) => {
      const task = await loadTask(t.task);
      return { task, spec: t.dataset, entries: registry.select(task.name, t.models) };
    }),
  );
}

/** A resumed run keeps its plan: flags that would change what runs are refused, with the reason. */
function checkResumeFlags(options: BenchOptions, plan: Plan): void {
  const given: [boolean, string][] = [
    [options.task !== undefined, '--task'],
    [options.suite !== undefined, '--suite'],
    [options.models.length > 0, '--model'],
    [options.shard !== undefined, '--shard'],
    [options.runId !== undefined, '--run-id'],
  ];
  const conflicting = given.filter(([set]) => set).map(([, flag]) => flag);
  if (conflicting.length > 0) {
    throw new UserError(`--resume ${plan.runId} runs the plan as it was made; drop ${conflicting.join(', ')}`);
  }
  for (const [key, value] of Object.entries(options.explicit) as [keyof PlanSettings, unknown][]) {
    if (value !== undefined && value !== plan.settings[key]) {
      throw new UserError(
        `Cannot resume ${plan.runId}: ${key} is ${JSON.stringify(plan.settings[key])} in its plan, not ${JSON.stringify(value)}. ` +
          'Resume with the plan\'s settings (drop the flag) or start a new run.',
      );
    }
  }
}

/** Inputs must be byte-identical to the plan's, or the resumed records would not be comparable. */
function checkUnchanged(plan: Plan, units: PlanUnit[]): void {
  const now = new Map(units.map((u) => [unitKey(u), u]));
  for (const was of plan.units) {
    const cur = now.get(unitKey(was));
    if (!cur) continue;
    if (cur.dataset.sha256 !== was.dataset.sha256) {
      throw new UserError(
        `Cannot resume ${plan.runId}: dataset ${was.dataset.id} (${was.dataset.split}) changed since the plan (sha256 ${was.dataset.sha256.slice(0, 12)}… now ${cur.dataset.sha256.slice(0, 12)}…)`,
      );
    }
    if (was.modelFiles && cur.modelFiles) {
      for (const [file, hash] of Object.entries(was.modelFiles)) {
        if (cur.modelFiles[file] !== hash) {
          throw new UserError(`Cannot resume ${plan.runId}: model ${was.model} file ${file} differs from the plan (${cur.modelFiles[file] ? 'changed' : 'missing'})`);
        }
      }
    }
  }
}

async function prepareTarget(target: Target, settings: PlanSettings, hub: ReturnType<typeof resolveHubConfig>, log: Log): Promise<{ prepared: Prepared; units: PlanUnit[] }> {
  const { task, spec } = target;
  const dataset = await loadDataset(spec, hub);
  if (spec.labelNames && dataset.labelNames && !sameLabels(spec.labelNames, dataset.labelNames)) {
    throw new UserError(`Dataset ${dataset.path} names its labels [${dataset.labelNames.join(', ')}], task '${task.name}' expects [${spec.labelNames.join(', ')}]`);
  }
  const { selected, usable, selection } = selectRows(dataset.rows, task.keep, settings.samples, settings.sampleSeed);
  if (selected.length === 0) throw new UserError(`Dataset ${dataset.path} has no usable rows for task '${task.name}'`);
  if (selected.length < settings.samples) {
    log(`Note: ${dataset.id} (${dataset.split}) has ${usable} usable rows; running ${selected.length}, not ${settings.samples}.`);
  }
  const located = new Map<string, ModelLocation>();
  const samples = new Map<string, Sample[]>();
  const units: PlanUnit[] = [];
  await Promise.all(target.entries.map(async (entry) => located.set(entry.id, await locateModel(entry, hub))));
  for (const entry of target.entries) {
    const location = located.get(entry.id)!;
    const onDisk = location.where === 'local-hub' || location.where === 'cache';
    // Inputs for every model before any runs: a malformed row stops the run here, not midway.
    if (location.where !== 'unavailable') samples.set(entry.id, selected.map(({ row, index }) => task.prepare(row, index, entry, spec)));
    units.push({
      task: task.name,
      dataset: { id: spec.id, split: spec.split, config: spec.config, sha256: dataset.sha256 },
      model: entry.id,
      modelFiles: onDisk ? await hashModelFiles(location.dir, entry.dtype) : null,
    });
  }
  return { prepared: { target, dataset, selection, located, samples }, units };
}

/**
 * A mirror's label names must agree with the task's, id by id, so a swapped label order is
 * caught; abbreviations count as agreeing ("neg" / "negative").
 */
function sameLabels(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length !== actual.length) return false;
  return expected.every((e, i) => {
    const [a, b] = [e.toLowerCase(), actual[i]!.toLowerCase()];
    return a.startsWith(b) || b.startsWith(a);
  });
}

/** Ctrl-C or SIGTERM: finished records are already on disk; the open window is simply dropped. */
function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  const wrapped = (signal: NodeJS.Signals) => handler(signal);
  process.once('SIGINT', wrapped);
  process.once('SIGTERM', wrapped);
  return () => {
    process.removeListener('SIGINT', wrapped);
    process.removeListener('SIGTERM', wrapped);
  };
}

export async function runBench(options: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<BenchResult> {
  const registry = await loadRegistry(options.modelsFile);
  const hub = resolveHubConfig(options);
  const runsDir = join(resolve(options.out), 'runs');
  ensureWritable(runsDir);

  const resumed = options.resume !== undefined ? findPlan(runsDir, options.resume) : undefined;
  let targets: Target[];
  let settings: PlanSettings;
  let source: string;
  if (resumed) {
    checkResumeFlags(options, resumed);
    targets = await targetsFromPlan(resumed, registry);
    settings = resumed.settings;
    source = resumed.source;
  } else {
    const fromArgs = await targetsFromArgs(options, registry);
    targets = fromArgs.targets;
    source = fromArgs.source;
    const explicit = Object.fromEntries(Object.entries(options.explicit).filter(([, v]) => v !== undefined));
    settings = { ...defaultSettings, ...fromArgs.suiteSettings, ...explicit };
  }
  const shard = resumed ? resumed.shard : options.shard !== undefined ? parseShard(options.shard) : null;
  const { meter, notes } = await selectMeter(settings.meter, { cpuWatts: settings.cpuWatts ?? undefined });
  for (const n of notes) log(n);
  await checkDevice(settings.device);

  const prepared: Prepared[] = [];
  const allUnits: PlanUnit[] = [];
  for (const target of targets) {
    const p = await prepareTarget(target, settings, hub, log);
    prepared.push(p.prepared);
    allUnits.push(...p.units);
  }
  const units = sortUnits(allUnits);
  if (resumed) checkUnchanged(resumed, units);

  const baseId = options.runId ?? newRunId();
  const plan: Plan = resumed ?? {
    planVersion: PLAN_VERSION,
    runId: shard ? `${baseId}-shard${shard.index}of${shard.count}` : baseId,
    createdAt: new Date().toISOString(),
    source,
    settings,
    targets: targets.map((t) => ({ task: t.task.name, dataset: { ...t.spec, fields: Object.fromEntries(Object.entries(t.spec.fields).map(([k, v]) => [k, [...v]])), labelNames: t.spec.labelNames ? [...t.spec.labelNames] : undefined }, models: t.entries.map((e) => e.id) })),
    units,
    shard,
  };
  if (!resumed && existsSync(planPath(runsDir, plan.runId))) throw new UserError(`Run '${plan.runId}' already exists in ${runsDir}: resume it with --resume ${plan.runId} or pick another --run-id`);
  const recordsPath = join(runsDir, `${plan.runId}.jsonl`);
  // A torn tail is set aside before reading: a complete record missing only its newline would
  // otherwise count as finished and then be moved away with the fragment.
  const torn = resumed ? repairTornTail(recordsPath) : undefined;
  if (torn) log(`warning: ${torn}`);
  const finished = resumed ? finishedCells(recordsPath) : { ok: new Set<string>(), reported: new Set<string>(), warnings: [] };
  for (const w of finished.warnings) log(`warning: ${w}`);

  const mine = shardUnits(plan.units, plan.shard);
  const todo = cellsOf(mine, settings.repetitions).filter((c) => !finished.ok.has(cellKey(c.unit, c.repetition)));
  const work = mine
    .map((unit) => ({ unit, repetitions: todo.filter((c) => c.unit === unit).map((c) => c.repetition) }))
    .filter((w) => w.repetitions.length > 0);
  const where = (unit: PlanUnit) => prepared.find((p) => p.target.task.name === unit.task && p.target.spec.id === unit.dataset.id && p.target.spec.split === unit.dataset.split)!;
  const locationOf = (unit: PlanUnit) => where(unit).located.get(unit.model)!;

  // Availability first: a skip is announced before anything runs; --strict refuses the run.
  const missing = work.filter((w) => locationOf(w.unit).where === 'unavailable');
  if (options.strict && missing.length > 0) {
    const lines = missing.map((w) => `${w.unit.model}: ${(locationOf(w.unit) as { message: string }).message}`);
    throw new UserError(`--strict: ${missing.length} model(s) unavailable: ${lines.join('; ')}. ${provideHint}`);
  }

  if (!resumed) writePlan(planPath(runsDir, plan.runId), plan); // before the first model starts
  const writer = new RecordWriter(recordsPath);
  const cellsToRun = work.filter((w) => locationOf(w.unit).where !== 'unavailable').reduce((n, w) => n + w.repetitions.length, 0);
  const progress = createProgress(cellsToRun);
  // From here on the run exists on disk, so an interrupt says how to resume it.
  const removeHandlers = onInterrupt((signal) => {
    progress.finish();
    writer.close();
    log(
      `\nInterrupted (${signal}): the window in progress was dropped; finished records are kept in ${recordsPath}.\n` +
        `Resume with: npm run bench -- --resume ${plan.runId}${options.out !== 'results' ? ` --out ${options.out}` : ''}`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
  const hardware = await describeHardware();
  if (settings.device !== 'cpu') hardware.accelerator = acceleratorName(hardware.gpus);
  const idleSeconds = cellsToRun > 0 ? idleSecondsFor(settings, meter.kind) : 0;
  let idle: IdleBaseline | undefined;
  if (idleSeconds > 0) {
    log(`Idle baseline: measuring ${idleSeconds} s of idle power (--idle-seconds 0 skips it)…`);
    idle = await measureIdle(meter, idleSeconds);
    log(`Idle baseline: ${idle.totalWatts.toFixed(1)} W (${Object.entries(idle.watts).map(([c, w]) => `${c} ${w!.toFixed(1)} W`).join(', ')})`);
  }
  const ctx: RunContext = {
    runId: plan.runId,
    idle,
    options: { ...settings, threads: settings.threads ?? undefined },
    meter,
    writer,
    progress,
    hardware,
    software: describeSoftware(),
    hub,
  };
  const shardNote = plan.shard ? `, shard ${plan.shard.index}/${plan.shard.count} (${mine.length} of ${plan.units.length} model runs)` : '';
  log(
    `${resumed ? 'Resuming' : 'Run'} ${plan.runId}: ${source}, ${work.length} model run(s) to do${shardNote}, ` +
      `${settings.samples} samples × ${settings.repetitions} repetition(s), batch ${settings.batchSize}`,
  );
  if (resumed) log(`${cellsToRun} repetition(s) left; ${finished.ok.size} already recorded in ${recordsPath}`);
  log(`Meter: ${meter.describe()}`);
  for (const p of prepared) log(`Dataset: ${p.dataset.id} (${p.dataset.split}) from ${p.dataset.path}`);

  const records: RunRecord[] = [];
  try {
    for (const { unit, repetitions } of work) {
      const p = where(unit);
      const entry = p.target.entries.find((e) => e.id === unit.model)!;
      const location = p.located.get(unit.model)!;
      if (location.where === 'unavailable') {
        if (finished.reported.has(unitKey(unit))) continue; // a resume does not repeat the line
        const record = unavailableRecord(ctx, p.target, entry, location);
        writer.append(record);
        records.push(record);
        ctx.progress.note(`  – ${entry.id}: skipped — ${location.message}`);
        continue;
      }
      const job = { task: p.target.task, entry, location, spec: p.target.spec, dataset: p.dataset, selection: p.selection, samples: p.samples.get(entry.id)!, repetitions };
      records.push(...(await runModel(ctx, job)));
    }
  } finally {
    removeHandlers();
    ctx.progress.finish();
    writer.close();
  }

  process.stdout.write(await renderTerminalSummary(records));
  const skipped = records.filter((r) => r.status === 'skipped');
  const errors = records.filter((r) => r.status === 'error');
  const ran = new Set(records.filter((r) => r.status === 'ok').map((r) => r.model)).size;
  log(
    `\n${ran} model(s) measured, ${new Set(skipped.map((r) => r.model)).size} skipped (not available offline), ` +
      `${new Set(errors.map((r) => r.model)).size} failed. Records: ${recordsPath}`,
  );
  if (skipped.length > 0) log(`Skipped models are listed above with where joulebench looked. ${provideHint}`);
  return { runId: plan.runId, recordsPath, records, exitCode: errors.length > 0 ? 1 : 0 };
}

function unavailableRecord(
  ctx: RunContext,
  target: Target,
  entry: ModelEntry,
  location: { reason: 'offline' | 'not-found' | 'incomplete'; message: string },
): RunRecord {
  const base = recordBase(ctx, target.task, entry, null, target.spec);
  if (location.reason === 'offline') {
    const skipped: SkippedRecord = { ...base, status: 'skipped', reason: 'offline', message: location.message };
    return skipped;
  }
  return { ...base, status: 'error', stage: 'load', message: `${location.message}. ${provideHint}` };
}
