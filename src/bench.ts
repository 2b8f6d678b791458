// `joulebench bench`: resolves everything that can fail on user input before any model runs
// (task, models, meter, output folder, dataset, field mapping, model availability), then runs
// each model in turn and prints what it measured.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadTask } from '../tasks/index.js';
import { loadDataset } from './datasets/load.js';
import { UserError, errorMessage } from './errors.js';
import { locateModel, provideHint, resolveHubConfig, type HubFlags } from './hub.js';
import { selectMeter } from './meters/index.js';
import { createProgress } from './progress.js';
import { RecordWriter, type RunRecord, type SkippedRecord } from './records.js';
import { loadRegistry } from './registry.js';
import { renderTerminalSummary } from './report/markdown.js';
import { recordBase, runModel, type ModelJob, type ResolvedRunOptions, type RunContext } from './runner.js';
import { describeHardware, describeSoftware } from './system.js';

export interface BenchOptions extends ResolvedRunOptions, HubFlags {
  task: string;
  models: string[];
  meter: string;
  out: string;
  cpuWatts?: number | undefined;
  strict: boolean;
  modelsFile?: string | undefined;
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

export async function runBench(options: BenchOptions, log: Log = (l) => process.stderr.write(`${l}\n`)): Promise<BenchResult> {
  const registry = await loadRegistry(options.modelsFile);
  const task = await loadTask(options.task);
  const entries = registry.select(task.name, options.models);
  if (entries.length === 0) throw new UserError(`No models are registered for task '${task.name}' in models.json`);
  const hub = resolveHubConfig(options);
  const runsDir = join(resolve(options.out), 'runs');
  ensureWritable(runsDir);
  const { meter, notes } = await selectMeter(options.meter, { cpuWatts: options.cpuWatts });
  for (const n of notes) log(n);

  const dataset = await loadDataset(task.dataset, hub);
  const expected = task.dataset.labelNames;
  if (expected && dataset.labelNames && expected.join() !== dataset.labelNames.join()) {
    throw new UserError(
      `Dataset ${dataset.path} names its labels [${dataset.labelNames.join(', ')}], task '${task.name}' expects [${expected.join(', ')}]`,
    );
  }
  const usable = dataset.rows.map((row, index) => ({ row, index })).filter(({ row }) => task.keep?.(row) ?? true);
  const selected = usable.slice(0, options.samples);
  if (selected.length === 0) throw new UserError(`Dataset ${dataset.path} has no usable rows for task '${task.name}'`);
  if (selected.length < options.samples) {
    log(`Note: ${dataset.id} (${dataset.split}) has ${usable.length} usable rows; running ${selected.length}, not ${options.samples}.`);
  }

  // Availability of every model first: a skip is announced before anything runs, and --strict
  // refuses the whole run instead.
  const located = await Promise.all(entries.map(async (entry) => ({ entry, location: await locateModel(entry, hub) })));
  const missing = located.filter((l) => l.location.where === 'unavailable');
  if (options.strict && missing.length > 0) {
    const lines = missing.map((l) => `${l.entry.id}: ${(l.location as { message: string }).message}`);
    throw new UserError(`--strict: ${missing.length} model(s) unavailable: ${lines.join('; ')}. ${provideHint}`);
  }

  // Inputs for every model before any runs: a malformed row stops the run here, not midway.
  const samplesFor = new Map(
    located
      .filter(({ location }) => location.where !== 'unavailable')
      .map(({ entry }) => [entry.id, selected.map(({ row, index }) => task.prepare(row, index, entry))]),
  );

  const runId = newRunId();
  const writer = new RecordWriter(join(runsDir, `${runId}.jsonl`));
  const ctx: RunContext = {
    runId,
    options,
    meter,
    writer,
    progress: createProgress((located.length - missing.length) * options.repetitions),
    hardware: await describeHardware(),
    software: describeSoftware(),
    hub,
  };
  log(`Run ${runId}: task ${task.name}, ${entries.length} model(s), ${selected.length} samples × ${options.repetitions} repetition(s), batch ${options.batchSize}`);
  log(`Meter: ${meter.describe()}`);
  log(`Dataset: ${dataset.id} (${dataset.split}) from ${dataset.path}`);

  const records: RunRecord[] = [];
  try {
    for (const { entry, location } of located) {
      if (location.where === 'unavailable') {
        const record = unavailableRecord(ctx, task, entry, location);
        writer.append(record);
        records.push(record);
        ctx.progress.note(`  – ${entry.id}: skipped — ${location.message}`);
        continue;
      }
      records.push(...(await runModel(ctx, { task, entry, location, dataset, samples: samplesFor.get(entry.id)! })));
    }
  } finally {
    ctx.progress.finish();
    writer.close();
  }

  process.stdout.write(await renderTerminalSummary(records));
  const skipped = records.filter((r) => r.status === 'skipped');
  const errors = records.filter((r) => r.status === 'error');
  const ran = new Set(records.filter((r) => r.status === 'ok').map((r) => r.model)).size;
  log(
    `\n${ran} model(s) measured, ${new Set(skipped.map((r) => r.model)).size} skipped (not available offline), ` +
      `${new Set(errors.map((r) => r.model)).size} failed. Records: ${writer.path}`,
  );
  if (skipped.length > 0) log(`Skipped models are listed above with where joulebench looked. ${provideHint}`);
  return { runId, recordsPath: writer.path, records, exitCode: errors.length > 0 ? 1 : 0 };
}

function unavailableRecord(
  ctx: RunContext,
  task: ModelJob['task'],
  entry: ModelJob['entry'],
  location: { reason: 'offline' | 'not-found' | 'incomplete'; message: string },
): RunRecord {
  const base = recordBase(ctx, task, entry, null);
  if (location.reason === 'offline') {
    const skipped: SkippedRecord = { ...base, status: 'skipped', reason: 'offline', message: location.message };
    return skipped;
  }
  return { ...base, status: 'error', stage: 'load', message: `${location.message}. ${provideHint}` };
}
