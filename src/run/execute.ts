// The second stage of a run: the plan's loop, under the run's lock. Writes the plan (new runs),
// takes the idle baseline, then runs each unit of this shard that still lacks records,
// appending each record as it finishes, so an interruption loses only the repetition in progress.
// SIGINT and SIGTERM say how to resume. A record that cannot be written (WriteError) stops the
// loop; runBenchmark says what is kept.
import { join } from 'node:path';
import { loadTask } from '../../tasks/index.js';
import type { Meter } from '../meters/base.js';
import { baselineWarnings, measureIdle, type IdleBaseline } from '../meters/idle.js';
import { locateModel, provideHint, type HubConfig, type ModelLocation } from '../model/hub.js';
import type { ModelRegistry } from '../model/registry.js';
import { errorRecord, skippedRecord, type RunFacts } from '../records/build.js';
import { planPath, writePlan } from '../records/plan-file.js';
import { RecordWriter } from '../records/writer.js';
import { axesText } from '../report/sweep/sweep-tables.js';
import type { RunRecord } from '../schema/result-record.js';
import { idleSecondsFor, type ResolvedRunOptions } from '../schema/run-options.js';
import type { MeasuredOn, Plan, PlanTarget, PlanUnit } from '../schema/run-plan.js';
import { UserError } from '../util/errors.js';
import { EXIT } from '../util/exit-codes.js';
import { createProgress } from '../util/progress.js';
import { acceleratorName, describeHardware, describeSoftware, hardwareLabel } from '../util/system.js';
import { watchWindows, type RunInterrupts } from './interrupts.js';
import { targetInputs, type Log, type Target, type TargetInputs } from './plan.js';
import { finishedCells, nothingFinished, repairTornTail, type Finished } from './resume.js';
import { runUnit, type UnitContext } from './runner.js';
import { unrunnable, type UnusableDevices } from './sweep-plan.js';
import { cellKey, cellsOf, shardUnits, unitKey } from './units.js';

interface ExecuteContext {
  registry: ModelRegistry;
  hub: HubConfig;
  meter: Meter;
  runsDir: string;
  /** True when the plan was read back from disk (--resume): it is not written again. */
  resumed: boolean;
  /** The command that resumes this run, printed on an interrupt. */
  resumeCommand: string;
  /** What Ctrl-C and SIGTERM say and close (the caller let the run's lock go on them). */
  interrupts: RunInterrupts;
  /** A sweep's devices that cannot run here, with why: their units are skipped. */
  unusableDevices?: UnusableDevices | undefined;
  log: Log;
}

export interface BenchResult {
  runId: string;
  recordsPath: string;
  records: RunRecord[];
  exitCode: number;
}

/** "3 repetition(s)", or "3 to 20 repetitions, until the 95% CI is within 2% of the mean". */
function repetitionRule(s: Pick<ResolvedRunOptions, 'repetitions' | 'targetCi' | 'maxRepetitions'>): string {
  if (s.targetCi === null) return `${s.repetitions} repetition(s)`;
  return `${s.repetitions} to ${s.maxRepetitions} repetitions, until the 95% CI is within ${+(s.targetCi * 100).toPrecision(3)}% of the mean`;
}

/** What a unit already has (a resumed run): its figures in repetition order, and the next repetition's number. */
function priorOf(finished: Finished, unit: PlanUnit, minimum: number): { prior: number[]; next: number } {
  const figures = finished.units.get(unitKey(unit))?.figures ?? new Map<number, number>();
  const order = [...figures.keys()].sort((a, b) => a - b);
  return { prior: order.map((r) => figures.get(r)!), next: Math.max(minimum, ...order) + 1 };
}

/** A sweep's unit runs with its own batch size, threads and device (and its accelerator); its records say so. */
function configured(ctx: UnitContext, unit: PlanUnit): UnitContext {
  if (!unit.config) return ctx;
  const options = { ...ctx.run.options, ...unit.config };
  const { accelerator: _, ...hardware } = ctx.run.hardware;
  const onDevice = options.device === 'cpu' ? hardware : { ...hardware, accelerator: acceleratorName(hardware.gpus) };
  return { ...ctx, run: { ...ctx.run, options, hardware: onDevice } };
}

/** A plan target made runnable again: its task, models and inputs, checked against the plan's hashes. */
interface LiveTarget {
  target: Target;
  inputs: TargetInputs;
  located: Map<string, ModelLocation>;
}

async function revive(plan: Plan, t: PlanTarget, ctx: ExecuteContext): Promise<LiveTarget> {
  const task = await loadTask(t.task);
  const target: Target = { task, spec: t.dataset, entries: ctx.registry.select(task.name, t.models) };
  const inputs = await targetInputs(target, plan.settings, ctx.hub);
  const planned = plan.units.find(
    (u) => u.task === task.name && u.dataset.id === t.dataset.id && u.dataset.split === t.dataset.split,
  );
  if (planned && planned.dataset.sha256 !== inputs.dataset.sha256) {
    throw new UserError(
      `Dataset ${t.dataset.id} (${t.dataset.split}) changed while run ${plan.runId} was being planned; start it again`,
    );
  }
  const located = new Map<string, ModelLocation>();
  await Promise.all(target.entries.map(async (entry) => located.set(entry.id, await locateModel(entry, ctx.hub))));
  return { target, inputs, located };
}

/**
 * A resumed run must measure as it began: the same meter (--meter auto may resolve to another one
 * when, say, RAPL became readable) on the same machine, or its repetitions would not be one row's.
 */
function checkMeasuredOn(plan: Plan, here: MeasuredOn): void {
  const was = plan.measuredOn;
  if (!was) return;
  const change =
    was.meter !== here.meter || was.meterKind !== here.meterKind
      ? `it was measured with the ${was.meter} meter (${was.meterKind}), this machine now resolves ${here.meter} (${here.meterKind}); resume with --meter ${was.meter} where that meter works`
      : was.hardware !== here.hardware
        ? `it was measured on ${was.hardware}, this is ${here.hardware}; resume it there, or start a new run here`
        : undefined;
  if (change) throw new UserError(`Cannot resume ${plan.runId}: ${change}`);
}

export async function executePlan(plan: Plan, ctx: ExecuteContext): Promise<BenchResult> {
  const { settings } = plan;
  const { log } = ctx;
  const { meter, windowOpen } = watchWindows(ctx.meter);
  const recordsPath = join(ctx.runsDir, `${plan.runId}.jsonl`);
  // A torn tail is set aside before reading: a complete record missing only its newline would
  // otherwise count as finished and then be moved away with the fragment.
  const torn = ctx.resumed ? repairTornTail(recordsPath) : undefined;
  if (torn) log(`warning: ${torn}`);
  const finished = ctx.resumed ? finishedCells(recordsPath) : nothingFinished();
  for (const w of finished.warnings) log(`warning: ${w}`);

  const mine = shardUnits(plan.units, plan.shard);
  const todo = cellsOf(mine, settings.repetitions).filter((c) => !finished.ok.has(cellKey(c.unit, c.repetition)));
  // With --target-ci a unit whose minimum is done still runs until a record says it stopped.
  const adaptive = (unit: PlanUnit) => settings.targetCi !== null && !finished.units.get(unitKey(unit))?.stopped;
  const work = mine
    .map((unit) => ({ unit, repetitions: todo.filter((c) => c.unit === unit).map((c) => c.repetition) }))
    .filter((w) => w.repetitions.length > 0 || adaptive(w.unit));
  if (ctx.resumed && work.length === 0) {
    // Every cell of this shard has its ok record: no model to load, no meter to check; the
    // caller's summary is the whole run's, from its records.
    log(`Run ${plan.runId} is complete: nothing left to run`);
    return { runId: plan.runId, recordsPath, records: [], exitCode: EXIT.ok };
  }
  const targets = await Promise.all(plan.targets.map((t) => revive(plan, t, ctx)));
  const liveOf = (unit: PlanUnit) =>
    targets.find(
      (t) =>
        t.target.task.name === unit.task &&
        t.target.spec.id === unit.dataset.id &&
        t.target.spec.split === unit.dataset.split,
    )!;
  const locationOf = (unit: PlanUnit) => liveOf(unit).located.get(unit.model)!;
  const sweptOut = (unit: PlanUnit) =>
    unrunnable(unit, {
      location: locationOf(unit),
      samples: liveOf(unit).inputs.samples.length,
      unusableDevices: ctx.unusableDevices,
    });

  const hardware = await describeHardware();
  if (settings.device !== 'cpu') hardware.accelerator = acceleratorName(hardware.gpus);
  const measuredOn: MeasuredOn = { meter: meter.name, meterKind: meter.kind, hardware: hardwareLabel(hardware) };
  if (ctx.resumed) checkMeasuredOn(plan, measuredOn);
  else writePlan(planPath(ctx.runsDir, plan.runId), { ...plan, measuredOn }); // before the first model starts
  const writer = new RecordWriter(recordsPath);
  const runnable = work.filter((w) => locationOf(w.unit).where !== 'unavailable' && sweptOut(w.unit) === undefined);
  const cellsToRun = runnable.reduce((n, w) => n + w.repetitions.length, 0);
  // With --target-ci a unit may run up to its maximum: the log says the range, progress grows.
  const recorded = (unit: PlanUnit) => finished.units.get(unitKey(unit))?.figures.size ?? 0;
  const mostCells = runnable.reduce(
    (n, w) =>
      n +
      (adaptive(w.unit)
        ? Math.max(w.repetitions.length, Math.max(settings.maxRepetitions, settings.repetitions) - recorded(w.unit))
        : w.repetitions.length),
    0,
  );
  const unavailable = work.length - runnable.length;
  const progress = createProgress(cellsToRun);
  // From here on the run exists on disk, so an interrupt says how to resume it; finished records
  // are already on disk, an open window is simply dropped (after a window closes, scoring only
  // loses its record: no window is dropped, the repetition runs again).
  ctx.interrupts.say(
    (signal) =>
      `\nInterrupted (${signal}): ${windowOpen() ? 'the energy window in progress was dropped' : 'no energy window was open'}; ` +
      `finished records are kept in ${recordsPath}.\nResume with: ${ctx.resumeCommand}`,
    () => {
      progress.finish();
      writer.close();
    },
  );
  const records: RunRecord[] = [];
  // Everything from here runs inside the try: a failure (a failed idle baseline) closes the writer.
  try {
    const run: RunFacts = {
      runId: plan.runId,
      options: settings,
      hardware,
      software: describeSoftware(),
      ...(plan.sweep ? { sweep: plan.sweep } : {}),
    };
    // Any window to run, an extra --target-ci one included, is measured against the idle baseline.
    const idleSeconds =
      runnable.length > 0 ? idleSecondsFor(settings, meter.kind === 'measured', meter.resolutionS) : 0;
    let idle: IdleBaseline | undefined;
    if (idleSeconds > 0) {
      log(`Idle baseline: measuring ${idleSeconds} s of idle power (--idle-seconds 0 skips it)…`);
      idle = await measureIdle(meter, idleSeconds);
      log(
        `Idle baseline: ${idle.totalWatts.toFixed(1)} W (${Object.entries(idle.watts)
          .map(([c, w]) => `${c} ${w!.toFixed(1)} W`)
          .join(', ')})`,
      );
      for (const w of baselineWarnings(idle)) log(`warning: ${w}`);
    }
    const sharedContext: UnitContext = { run, meter, idle, writer, progress };
    const shardNote = plan.shard
      ? `, shard ${plan.shard.index}/${plan.shard.count} (${mine.length} of ${plan.units.length} model runs)`
      : '';
    log(
      `${ctx.resumed ? 'Resuming' : 'Run'} ${plan.runId}: ${plan.source}, ${runnable.length} model run(s) to do` +
        `${unavailable > 0 ? `, ${unavailable} unavailable (listed below)` : ''}${shardNote}, ` +
        `${settings.samples} samples × ${repetitionRule(settings)}, ` +
        (plan.sweep ? `a sweep of ${axesText(plan.sweep.axes)}` : `batch ${settings.batchSize}`),
    );
    const left = mostCells > cellsToRun ? `${cellsToRun} to ${mostCells}` : `${cellsToRun}`;
    if (ctx.resumed) log(`${left} repetition(s) left; ${finished.ok.size} already recorded in ${recordsPath}`);
    log(`Meter: ${meter.describe()}`);
    for (const t of targets)
      log(`Dataset: ${t.inputs.dataset.id} (${t.inputs.dataset.split}) from ${t.inputs.dataset.path}`);

    /** The one line of a unit that does not run: a resume does not repeat it for the same outcome, but counts it. */
    const notRun = (unit: PlanUnit, record: RunRecord, message: string) => {
      const reported = finished.reported.get(unitKey(unit));
      const before = reported?.status === record.status ? reported : undefined;
      if (!before) writer.append(record);
      records.push(before ?? record);
      progress.note(
        `  – ${record.model}: ${record.status === 'skipped' ? 'skipped' : 'failed'} — ${message}` +
          (before ? ' (recorded before)' : ''),
      );
    };
    for (const { unit, repetitions } of work) {
      const unitContext = configured(sharedContext, unit);
      const { run } = unitContext;
      const { target, inputs, located } = liveOf(unit);
      const entry = target.entries.find((e) => e.id === unit.model)!;
      const location = located.get(unit.model)!;
      const subject = { task: target.task, entry, spec: target.spec };
      const why = sweptOut(unit);
      if (why !== undefined) {
        notRun(unit, skippedRecord(run, subject, why, 'unrunnable'), why);
        continue;
      }
      if (location.where === 'unavailable') {
        const record =
          location.reason === 'offline'
            ? skippedRecord(run, subject, location.message)
            : errorRecord(run, subject, null, 'load', `${location.message}. ${provideHint}`);
        notRun(unit, record, location.message);
        continue;
      }
      const job = {
        task: target.task,
        entry,
        location,
        spec: target.spec,
        dataset: inputs.dataset,
        selection: inputs.selection,
        samples: inputs.samples,
        repetitions,
        ...priorOf(finished, unit, settings.repetitions),
      };
      records.push(...(await runUnit(unitContext, job)));
    }
  } finally {
    progress.finish();
    writer.close();
  }
  const failed = records.some((r) => r.status === 'error');
  return { runId: plan.runId, recordsPath, records, exitCode: failed ? EXIT.modelFailed : EXIT.ok };
}
