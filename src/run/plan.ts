// The first stage of a run: flags, a suite or a resumed run's plan file -> a Plan of units with
// the hashes of their inputs. Everything that can fail on user input fails here, before any
// model loads: task and models, settings, datasets and their fields, model availability
// (--strict), a resume whose settings or inputs changed. Nothing is written.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadTask } from '../../tasks/index.js';
import { loadDataset, type LoadedDataset } from '../datasets/load.js';
import { selectRows } from '../datasets/selection.js';
import { locateModel, provideHint, type HubConfig, type HubFlags } from '../model/hub.js';
import { hashModelFiles } from '../model/pipeline.js';
import type { ModelRegistry } from '../model/registry.js';
import { planPath } from '../records/plan-file.js';
import { overrideDataset, type DatasetSpec } from '../schema/dataset-spec.js';
import type { ModelEntry } from '../schema/model-entry.js';
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from '../schema/run-options.js';
import { PLAN_VERSION, type Plan, type PlanUnit, type Shard } from '../schema/run-plan.js';
import type { DatasetRow, Sample, TaskDef } from '../task-api.js';
import { UserError } from '../util/errors.js';
import { promiseMemo } from '../util/memo.js';
import { prepareSamples } from './inputs.js';
import { findPlan } from './resume.js';
import { loadSuite } from './suites.js';
import { unrunnable, type SweepDraft, type SweepRequest, type UnusableDevices } from './sweep-plan.js';
import { modelKey, parseShard, runIdProblem, shardUnits, sortUnits, unitKey } from './units.js';

export type Log = (line: string) => void;

/** What a user asks `bench` for: flags as given. */
export interface BenchRequest extends HubFlags {
  task?: string | undefined;
  suite?: string | undefined;
  models: readonly string[];
  /** Settings typed on the command line: a suite may not override them and a resumed run must agree with them. */
  options: RunOptions;
  out: string;
  strict: boolean;
  modelsFile?: string | undefined;
  resume?: string | undefined;
  shard?: string | undefined;
  runId?: string | undefined;
  /** `sweep`: its axes and latency budget (a resumed sweep takes them from its plan). */
  sweep?: SweepRequest | undefined;
  /** The command the user typed (the resume command it prints names it): default bench. */
  command?: 'bench' | 'sweep' | undefined;
}

/** A task on one dataset with its models, resolved. */
export interface Target {
  task: TaskDef;
  spec: DatasetSpec;
  entries: ModelEntry[];
}

/** A plan before its datasets are read: what to run, with which settings. */
export interface Draft {
  targets: Target[];
  settings: ResolvedRunOptions;
  source: string;
  shard: Shard | null;
  /** The plan being resumed, if any. */
  resumed: Plan | undefined;
  /** A new sweep's configurations and skips (sweep-plan.ts). */
  sweep?: SweepDraft | undefined;
  /** A sweep's devices that cannot run here (new or resumed): their units are skipped where they run. */
  unusableDevices?: UnusableDevices | undefined;
}

/** "20261126T142809Z-3f9a1c": sortable, unique enough across machines, safe in file names. */
function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Settings as given: a schema failure (a suite's bad value) is one line naming the setting. */
function settingsOf(...layers: RunOptions[]): ResolvedRunOptions {
  let settings: ResolvedRunOptions;
  try {
    settings = resolveRunOptions(...layers);
  } catch (err) {
    const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    if (!issue) throw err;
    throw new UserError(`Invalid setting '${issue.path.join('.')}': ${issue.message}`);
  }
  if (settings.targetCi !== null && settings.maxRepetitions < settings.repetitions) {
    throw new UserError(
      `--max-repetitions ${settings.maxRepetitions} is below --repetitions ${settings.repetitions}, the minimum with --target-ci`,
    );
  }
  return settings;
}

async function targetsFromArgs(
  request: BenchRequest,
  registry: ModelRegistry,
): Promise<Omit<Draft, 'shard' | 'resumed'>> {
  if (request.task !== undefined && request.suite !== undefined)
    throw new UserError('Give either --task or --suite, not both');
  if (request.suite !== undefined) {
    if (request.models.length > 0)
      throw new UserError('--model cannot be combined with --suite: a suite lists its models');
    const suite = loadSuite(request.suite);
    const targets: Target[] = [];
    for (const e of suite.entries) {
      const task = await loadTask(e.task);
      const spec = e.dataset ? overrideDataset(task.dataset, e.dataset) : task.dataset;
      targets.push({ task, spec, entries: registry.select(task.name, e.models ?? []) });
    }
    return { targets, source: `suite ${suite.name}`, settings: settingsOf(suite.settings ?? {}, request.options) };
  }
  if (request.task === undefined) throw new UserError('Give --task <name> or --suite <name> (or --resume <run-id>)');
  const task = await loadTask(request.task);
  const entries = registry.select(task.name, request.models);
  if (entries.length === 0) throw new UserError(`No models are registered for task '${task.name}' in models.json`);
  return {
    targets: [{ task, spec: task.dataset, entries }],
    source: `task ${task.name}`,
    settings: settingsOf(request.options),
  };
}

/** A resumed run keeps its plan: flags that would change what runs are refused, with the reason. */
function checkResumeFlags(request: BenchRequest, plan: Plan): void {
  const given: [boolean, string][] = [
    [request.task !== undefined, '--task'],
    [request.suite !== undefined, '--suite'],
    [request.models.length > 0, '--model'],
    [request.shard !== undefined, '--shard'],
    [request.runId !== undefined, '--run-id'],
    [request.sweep !== undefined, 'the sweep axes'],
  ];
  const conflicting = given.filter(([set]) => set).map(([, flag]) => flag);
  if (conflicting.length > 0) {
    throw new UserError(`--resume ${plan.runId} runs the plan as it was made; drop ${conflicting.join(', ')}`);
  }
  for (const [key, value] of Object.entries(request.options) as [keyof ResolvedRunOptions, unknown][]) {
    if (value !== undefined && value !== plan.settings[key]) {
      throw new UserError(
        `Cannot resume ${plan.runId}: ${key} is ${JSON.stringify(plan.settings[key])} in its plan, not ${JSON.stringify(value)}. ` +
          "Resume with the plan's settings (drop the flag) or start a new run.",
      );
    }
  }
}

/**
 * onnxruntime threads against this machine: past 4 × its hardware threads the figures would
 * measure contention (refused); past 1 × they are slower and costlier (a warning). A resumed
 * plan keeps what it was made with, so it only warns.
 */
function checkThreads(settings: ResolvedRunOptions, log: Log, resumed: boolean): void {
  const { threads } = settings;
  const hw = availableParallelism();
  if (threads === null || threads <= hw) return;
  if (threads > hw * 4 && !resumed) {
    throw new UserError(
      `Setting threads = ${threads} is more than 4 × this machine's ${hw} hardware threads (at most ${hw * 4}); ` +
        'onnxruntime would measure contention, not the model',
    );
  }
  log(
    `warning: threads = ${threads} is more than this machine's ${hw} hardware threads: onnxruntime's threads ` +
      'will compete for cores, which costs time and energy that the model itself does not',
  );
}

/** The targets, settings and shard of a run: from the flags, or from the plan being resumed. */
export async function draftPlan(
  request: BenchRequest,
  registry: ModelRegistry,
  runsDir: string,
  log: Log = () => {},
): Promise<Draft> {
  if (request.runId !== undefined) {
    const problem = runIdProblem(request.runId);
    if (problem) throw new UserError(`--run-id '${request.runId}': ${problem}`);
  }
  if (request.resume !== undefined && request.resume !== 'latest') {
    const problem = runIdProblem(request.resume);
    if (problem) throw new UserError(`--resume '${request.resume}': ${problem}, or 'latest'`);
  }
  if (request.resume !== undefined) {
    const resumed = findPlan(runsDir, request.resume, log);
    checkResumeFlags(request, resumed);
    checkThreads(resumed.settings, log, true);
    const targets = await Promise.all(
      resumed.targets.map(async (t) => {
        const task = await loadTask(t.task);
        return { task, spec: t.dataset, entries: registry.select(task.name, t.models) };
      }),
    );
    return { targets, settings: resumed.settings, source: resumed.source, shard: resumed.shard, resumed };
  }
  const fromArgs = await targetsFromArgs(request, registry);
  checkThreads(fromArgs.settings, log, false);
  return { ...fromArgs, shard: request.shard !== undefined ? parseShard(request.shard) : null, resumed: undefined };
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

/** A target's inputs, read and checked: the same call the run stage makes to get its samples. */
export interface TargetInputs {
  dataset: LoadedDataset;
  selection: ReturnType<typeof selectRows>['selection'];
  samples: Sample[];
  /** Usable rows in the dataset (it may have fewer than --samples). */
  usable: number;
}

/**
 * Inputs already prepared with a hub configuration (one per run): the plan checks every row and
 * the run measures the same samples, so images are decoded once, not once per stage.
 */
const prepared = promiseMemo<HubConfig, TargetInputs>();

/** Loads a target's dataset, selects its rows and prepares every input: malformed data fails here. */
export function targetInputs(target: Target, settings: ResolvedRunOptions, hub: HubConfig): Promise<TargetInputs> {
  const { task, spec } = target;
  const key = JSON.stringify([task.name, task.version, spec, settings.samples, settings.sampleSeed]);
  return prepared(hub, key, () => readTargetInputs(target, settings, hub));
}

async function readTargetInputs(target: Target, settings: ResolvedRunOptions, hub: HubConfig): Promise<TargetInputs> {
  const { task, spec } = target;
  const dataset = await loadDataset(spec, hub);
  if (spec.labelNames && dataset.labelNames && !sameLabels(spec.labelNames, dataset.labelNames)) {
    throw new UserError(
      `Dataset ${dataset.path} names its labels [${dataset.labelNames.join(', ')}], task '${task.name}' expects [${spec.labelNames.join(', ')}]`,
    );
  }
  const keep = task.keep && ((row: DatasetRow) => task.keep!(row, spec));
  const { selected, usable, selection } = selectRows(dataset.rows, keep, settings.samples, settings.sampleSeed);
  if (selected.length === 0) throw new UserError(`Dataset ${dataset.path} has no usable rows for task '${task.name}'`);
  const samples = await prepareSamples(task, selected, spec, { dir: dataset.dir, file: dataset.path });
  return { dataset, selection, samples, usable };
}

/** Inputs must be byte-identical to the plan's, or the resumed records would not be comparable. */
function checkUnchanged(plan: Plan, units: PlanUnit[]): void {
  const now = new Map(units.map((u) => [modelKey(u), u])); // a sweep's configurations share their inputs
  for (const was of plan.units) {
    const cur = now.get(modelKey(was));
    if (!cur) continue;
    if (cur.dataset.sha256 !== was.dataset.sha256) {
      throw new UserError(
        `Cannot resume ${plan.runId}: dataset ${was.dataset.id} (${was.dataset.split}) changed since the plan (sha256 ${was.dataset.sha256.slice(0, 12)}… now ${cur.dataset.sha256.slice(0, 12)}…)`,
      );
    }
    if (was.modelFiles && cur.modelFiles) {
      for (const [file, hash] of Object.entries(was.modelFiles)) {
        if (cur.modelFiles[file] !== hash) {
          throw new UserError(
            `Cannot resume ${plan.runId}: model ${was.model} file ${file} differs from the plan (${cur.modelFiles[file] ? 'changed' : 'missing'})`,
          );
        }
      }
    }
  }
}

/** The id a run's files take: the plan's when resuming, else the one asked for (or a new one) plus the shard. */
export function runIdOf(draft: Draft, requested: string | undefined): string {
  if (draft.resumed) return draft.resumed.runId;
  const baseId = requested ?? newRunId();
  return draft.shard ? `${baseId}-shard${draft.shard.index}of${draft.shard.count}` : baseId;
}

/**
 * Every label a model's `labels` maps to must be one the dataset has: a mapping to 'pos' on a
 * dataset of 'positive' would score every answer wrong without a single unmapped label.
 */
function checkLabelMappings(target: Target, modelsFile: string): void {
  const names = target.spec.labelNames;
  if (!target.task.labelMapping || !names) return;
  for (const entry of target.entries) {
    for (const [from, to] of Object.entries(entry.labels ?? {})) {
      if (names.includes(to)) continue;
      throw new UserError(
        `Model ${entry.id} maps label '${from}' to '${to}', which ${target.spec.id} (${target.spec.split}) does not have ` +
          `(its labels: ${names.join(', ')}); fix 'labels' in ${modelsFile}`,
      );
    }
  }
}

/** A batch larger than a repetition's samples is one call anyway: the batch size recorded says so. */
function clampBatch(settings: ResolvedRunOptions, samplesPerRepetition: number, log: Log): ResolvedRunOptions {
  if (settings.batchSize <= samplesPerRepetition) return settings;
  log(
    `Note: --batch-size ${settings.batchSize} is more than the ${samplesPerRepetition} samples of a repetition: ` +
      `batch size ${samplesPerRepetition} is used (and recorded)`,
  );
  return { ...settings, batchSize: samplesPerRepetition };
}

interface PlanContext {
  hub: HubConfig;
  runsDir: string;
  strict: boolean;
  /** The run's id (runIdOf). */
  runId: string;
  /** The model registry's file, named when one of its entries is wrong. */
  modelsFile: string;
  log: Log;
}

/** Reads every target's dataset and locates its models, then lays out the plan's units. */
export async function completePlan(draft: Draft, ctx: PlanContext): Promise<Plan> {
  const { settings } = draft;
  const units: PlanUnit[] = [];
  const unavailable = new Map<string, string>();
  // A sweep's units are each model times its configurations, all of them: every machine of a
  // sharded sweep slices the same list, and one that cannot run here is skipped where it runs.
  const configs = draft.sweep?.configs ?? [undefined];
  const cannotRun: string[] = [];
  for (const target of draft.targets) checkLabelMappings(target, ctx.modelsFile);
  let fewestSamples = settings.samples;
  for (const target of draft.targets) {
    const { dataset, samples, usable } = await targetInputs(target, settings, ctx.hub);
    fewestSamples = Math.min(fewestSamples, samples.length);
    if (samples.length < settings.samples) {
      ctx.log(
        `Note: ${dataset.id} (${dataset.split}) has ${usable} usable rows; running ${samples.length}, not ${settings.samples}.`,
      );
    }
    const located = await Promise.all(target.entries.map((entry) => locateModel(entry, ctx.hub)));
    for (const [i, entry] of target.entries.entries()) {
      const location = located[i]!;
      const unit: PlanUnit = {
        task: target.task.name,
        dataset: { id: target.spec.id, split: target.spec.split, config: target.spec.config, sha256: dataset.sha256 },
        model: entry.id,
        modelFiles:
          location.where === 'local-hub' || location.where === 'cache'
            ? await hashModelFiles(location.dir, entry.dtype)
            : null,
      };
      for (const config of configs) {
        const configured: PlanUnit = config ? { ...unit, config } : unit;
        const here = { location, samples: samples.length, unusableDevices: draft.unusableDevices };
        const why = unrunnable(configured, here);
        if (why !== undefined) cannotRun.push(`${entry.id}: ${why}`);
        else if (location.where === 'unavailable')
          unavailable.set(unitKey(configured), `${entry.id}: ${location.message}`);
        units.push(configured);
      }
    }
  }
  const sorted = sortUnits(units);
  if (draft.sweep && cannotRun.length === sorted.length) {
    const reasons = [...draft.sweep.sweep.skipped.map((k) => k.reason), ...new Set(cannotRun)];
    throw new UserError(`sweep: every configuration is skipped: ${reasons.join('; ')}`);
  }
  if (draft.resumed) checkUnchanged(draft.resumed, sorted);
  // Availability first: --strict refuses the run before anything is written.
  const missing = shardUnits(sorted, draft.shard).flatMap((u) => unavailable.get(unitKey(u)) ?? []);
  if (ctx.strict && missing.length > 0) {
    throw new UserError(`--strict: ${missing.length} model(s) unavailable: ${missing.join('; ')}. ${provideHint}`);
  }
  if (draft.resumed) return draft.resumed;
  const { runId } = ctx;
  // Checked under the run's lock: two processes with the same --run-id cannot both pass it.
  if (existsSync(planPath(ctx.runsDir, runId))) {
    throw new UserError(
      `Run '${runId}' already exists in ${ctx.runsDir}: resume it with --resume ${runId} or pick another --run-id`,
    );
  }
  return {
    planVersion: PLAN_VERSION,
    runId,
    createdAt: new Date().toISOString(),
    source: draft.source,
    settings: clampBatch(settings, fewestSamples, ctx.log),
    targets: draft.targets.map((t) => ({ task: t.task.name, dataset: t.spec, models: t.entries.map((e) => e.id) })),
    units: sorted,
    shard: draft.shard,
    ...(draft.sweep ? { sweep: draft.sweep.sweep } : {}),
  };
}
