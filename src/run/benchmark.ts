// `bench` as a function: plan, then execute, then the summary. The library's runBenchmark().
// The order is what keeps a user's folder clean and a run whole: every flag is checked before
// anything is created; the run's lock is taken before its plan is looked at; a write that
// fails (a full disk) stops the run with one line naming what is kept and how to resume.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAllTasks } from '../../tasks/index.js';
import type { Meter } from '../meters/base.js';
import { selectMeter } from '../meters/index.js';
import { checkDevice } from '../model/device.js';
import { provideHint, resolveHubConfig, type HubConfig } from '../model/hub.js';
import { loadRegistry, type ModelRegistry } from '../model/registry.js';
import { planPath } from '../records/plan-file.js';
import { parseRecordLines } from '../records/reader.js';
import { acquireRunLock } from '../records/run-lock.js';
import { buildBoard } from '../report/board.js';
import { markdownSections } from '../report/render/markdown.js';
import type { EnergyKind } from '../schema/energy.js';
import type { RunRecord } from '../schema/result-record.js';
import { InternalError, UserError, WriteError } from '../util/errors.js';
import { EXIT } from '../util/exit-codes.js';
import { checkWritableDir, createDir, removeCreatedDirs } from '../util/out-dir.js';
import { packageRoot, packagePath } from '../util/paths.js';
import { pauseForTest } from '../util/test-pause.js';
import { executePlan, type BenchResult } from './execute.js';
import { completePlan, draftPlan, runIdOf, type BenchRequest, type Draft, type Log } from './plan.js';
import { draftSweep, unusableDevices } from './sweep-plan.js';
import { interruptRun } from './interrupts.js';
import { countRecords } from './resume.js';
import { cellKey, recordUnit, unitKey } from './units.js';

export type { BenchRequest } from './plan.js';
export type { BenchResult } from './execute.js';

/** models.json (or another registry file) checked against the registered tasks. */
export async function openRegistry(path?: string): Promise<ModelRegistry> {
  return loadRegistry(await loadAllTasks(), path);
}

/** A shell word: quoted when it holds anything a shell would read differently. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that resumes a run, pasted into any shell in any folder: npm in joulebench's own
 * folder (where the default --out, results/, is), every flag that located the run as an
 * absolute path, and the mirror, cache (the default one too) and offline setting that came from
 * the environment (JOULEBENCH_HUB, JOULEBENCH_CACHE, HF_HUB_OFFLINE) as flags: the shell it is
 * pasted into may set them differently, or not at all.
 */
function resumeCommand(
  request: BenchRequest,
  runId: string,
  hub: Pick<HubConfig, 'hubDir' | 'cacheDir' | 'offline'>,
): string {
  const out = resolve(request.out);
  const flags: [string, string | undefined][] = [
    ['--resume', runId],
    ['--out', out !== packagePath('results') ? out : undefined],
    ['--hub', hub.hubDir],
    ['--cache', hub.cacheDir], // always: a shell with JOULEBENCH_CACHE set would otherwise resume from another cache
    ['--models-file', request.modelsFile === undefined ? undefined : resolve(request.modelsFile)],
  ];
  const given = flags
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([flag, value]) => `${flag} ${shellWord(value)}`);
  if (hub.offline) given.push('--offline');
  return `npm --prefix ${shellWord(packageRoot)} run ${request.command ?? 'bench'} -- ${given.join(' ')}`;
}

/** A write that failed mid-run, as the one line the user acts on (exit 4). */
function writeFailure(err: WriteError, recordsPath: string, resume: string | undefined): UserError {
  const kept = resume !== undefined ? `${countRecords(recordsPath)} record(s) kept` : 'nothing was run yet';
  const fix = err.diskFull ? 'free space' : `fix that (${err.code})`;
  const next = resume !== undefined ? `resume with: ${resume}` : 'run the command again';
  const what = err.diskFull ? 'disk full writing' : 'could not write';
  return new UserError(`${what} ${err.path}: ${kept}; ${fix}, then ${next}`, EXIT.writeFailed);
}

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

/** A sweep's id: its run id without a shard's suffix, so the leaderboard merges its shards. */
function sweepId(draft: Draft, runId: string): string {
  return draft.shard ? runId.slice(0, runId.lastIndexOf('-shard')) : runId;
}

/**
 * Expands a new sweep's draft: its models become the dtype axis's variants, its units gain
 * configurations, and the devices that cannot run here are noted (their units are skipped).
 */
async function planSweep(
  draft: Draft,
  request: BenchRequest,
  ctx: { registry: ModelRegistry; hub: ReturnType<typeof resolveHubConfig>; id: string },
): Promise<void> {
  const [target, ...others] = draft.targets;
  if (!target || others.length > 0 || request.suite !== undefined) {
    throw new UserError('sweep: give --task <name> (a sweep runs one task, not a suite)');
  }
  const drafted = await draftSweep(target.entries, request.sweep!, draft.settings, { ...ctx, checkDevice });
  target.entries = drafted.entries;
  draft.sweep = drafted.draft;
  draft.unusableDevices = drafted.unusable;
}

/** Devices a run uses: the setting's, or each of a resumed sweep's units'. */
function devicesOf(draft: Draft): string[] {
  const units = draft.resumed?.sweep ? draft.resumed.units : [];
  return [...new Set([draft.settings.device, ...units.flatMap((u) => (u.config ? [u.config.device] : []))])];
}

/** What a library caller may hand runBenchmark besides the request. */
interface BenchSeams {
  log?: Log;
  /** A meter of the caller's own, in place of --meter (its name is what the plan records as the meter). */
  meter?: Meter;
}

export async function runBenchmark(request: BenchRequest, seams: BenchSeams | Log = {}): Promise<BenchResult> {
  const { log = stderrLog, meter: ownMeter } = typeof seams === 'function' ? { log: seams, meter: undefined } : seams;
  if (request.out.trim() === '') throw new UserError("--out '': give a folder, e.g. --out results"); // not "here"
  const runsDir = checkWritableDir(join(resolve(request.out), 'runs'), '--out', request.out); // nothing created yet
  const registry = await openRegistry(request.modelsFile);
  const hub = resolveHubConfig(request);
  const draft = await draftPlan(request, registry, runsDir, log);
  const runId = runIdOf(draft, request.runId);
  if (request.sweep) await planSweep(draft, request, { registry, hub, id: sweepId(draft, runId) });
  else if (request.command === 'sweep' && draft.resumed && !draft.resumed.sweep) {
    throw new UserError(
      `Run ${draft.resumed.runId} is not a sweep: resume it with ${resumeCommand({ ...request, command: 'bench' }, draft.resumed.runId, hub)}`,
    );
  }
  // A bench run needs every device it names; a sweep skips the units of one that cannot run here.
  // Checked before the meter is probed: a mistyped --device is one line, not a meter warning and then it.
  if (draft.resumed?.sweep) draft.unusableDevices = await unusableDevices(devicesOf(draft), checkDevice);
  else if (!draft.sweep) for (const device of devicesOf(draft)) await checkDevice(device);
  const { meter, notes } = ownMeter
    ? { meter: ownMeter, notes: [] }
    : await selectMeter(draft.settings.meter, { cpuWatts: draft.settings.cpuWatts });
  if (ownMeter) draft.settings = { ...draft.settings, meter: ownMeter.name };
  for (const n of notes) log(n);
  // Every flag is checked: from here on the run's folder may be created.
  const recordsPath = join(runsDir, `${runId}.jsonl`);
  const resume = resumeCommand(request, runId, hub);
  const runExists = () => existsSync(planPath(runsDir, runId));
  const created = createDir(runsDir);
  try {
    const lock = acquireRunLock(runsDir, runId, log);
    // Failed or stopped before the plan was written: nothing to keep, not even the folders made for it.
    const letGo = () => {
      lock.release();
      if (!runExists()) removeCreatedDirs(created);
    };
    const interrupts = interruptRun(letGo, log, (signal) => {
      const resumeNote = runExists() ? `; resume with: ${resume}` : '';
      return `\nInterrupted (${signal}) before the run started: nothing recorded${resumeNote}`;
    });
    try {
      await pauseForTest('run-locked');
      const modelsFile = resolve(request.modelsFile ?? packagePath('models.json'));
      const plan = await completePlan(draft, { hub, runsDir, strict: request.strict, runId, modelsFile, log });
      const result = await executePlan(plan, {
        registry,
        hub,
        meter,
        runsDir,
        resumed: draft.resumed !== undefined,
        resumeCommand: resume,
        interrupts,
        unusableDevices: draft.unusableDevices,
        log,
      });
      await summarize(result, { resume, meterKind: meter.kind }, log);
      return result;
    } finally {
      interrupts.remove();
      letGo();
    }
  } catch (err) {
    if (err instanceof WriteError) throw writeFailure(err, recordsPath, runExists() ? resume : undefined);
    if (err instanceof UserError || !runExists()) throw err;
    throw new InternalError(err, resume); // a bug mid-run: its finished records are kept
  } finally {
    await meter.close(); // the meter's samplers (one nvidia-smi per run) end with the run
  }
}

const modelCount = (records: RunRecord[], status: RunRecord['status']) =>
  new Set(records.filter((r) => r.status === status).map((r) => r.model)).size;

/**
 * The whole run's records, so a resumed run's summary covers earlier sessions too, less the
 * failures and skips a later session made good (their cell, or for a whole-unit line any cell
 * of the unit, now has an ok record).
 */
function runRecords(result: BenchResult): RunRecord[] {
  if (!existsSync(result.recordsPath)) return result.records;
  const all = parseRecordLines(readFileSync(result.recordsPath, 'utf8'), result.recordsPath).records;
  const ok = all.filter((r) => r.status === 'ok');
  const measured = new Set(
    ok.flatMap((r) => [unitKey(recordUnit(r)), cellKey(recordUnit(r), r.settings.repetition ?? 0)]),
  );
  const madeGood = (r: RunRecord) =>
    measured.has(
      r.settings.repetition === null ? unitKey(recordUnit(r)) : cellKey(recordUnit(r), r.settings.repetition),
    );
  return all.filter((r) => r.status === 'ok' || !madeGood(r));
}

/** The whole run's board and counts; with the estimate meter nothing is measured, so models "ran". */
async function summarize(result: BenchResult, run: { resume: string; meterKind: EnergyKind }, log: Log): Promise<void> {
  const records = runRecords(result);
  const measured = run.meterKind === 'measured';
  process.stdout.write(
    records.some((r) => r.status === 'ok')
      ? `\n${markdownSections(await buildBoard(records)).trimEnd()}\n`
      : `\nNo model produced a ${measured ? 'measurement' : 'result'}.\n`,
  );
  const failed = modelCount(records, 'error');
  const offline = records.filter((r) => r.status === 'skipped' && r.reason === 'offline');
  const unrunnable = records.filter((r) => r.status === 'skipped' && r.reason === 'unrunnable').length;
  log(
    `\n${modelCount(records, 'ok')} model(s) ${measured ? 'measured' : 'ran'}, ` +
      `${modelCount(offline, 'skipped')} skipped (not available offline), ` +
      (unrunnable > 0 ? `${unrunnable} configuration(s) skipped (cannot run here), ` : '') +
      `${failed} failed. Records: ${result.recordsPath}`,
  );
  if (offline.length > 0) log(`Skipped models are listed above with where joulebench looked. ${provideHint}`);
  if (failed > 0) log(`Once the failed models are fixed, run them with: ${run.resume}`);
}
