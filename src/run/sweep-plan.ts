// A configuration sweep as one run's plan: every registered dtype variant of each model asked
// for, times the cross product of batch size × threads × device (an axis not given takes the
// run's one setting). A dtype no registered variant of the model has is left out with the reason
// (the registry is the same on every machine). Every other configuration stays a unit of the
// plan, so every machine of a sharded sweep slices the same list; one that cannot run on the
// machine running it (a device that cannot run here, checked as `bench` checks it; a variant
// whose ONNX weights are missing; a batch larger than a repetition's samples) becomes a skipped
// record with the reason where it runs.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { weightFilePattern, locateModel, type HubConfig, type ModelLocation } from '../model/hub.js';
import type { ModelRegistry } from '../model/registry.js';
import { dtypeSuffix, type Dtype, type ModelEntry } from '../schema/model-entry.js';
import type { ResolvedRunOptions } from '../schema/run-options.js';
import type { PlanUnit } from '../schema/run-plan.js';
import type { Sweep, SweepAxes, SweptOut, UnitConfig } from '../schema/sweep-axes.js';
import { UserError, errorMessage } from '../util/errors.js';

/** What `sweep` asks for besides the run's settings. */
export interface SweepRequest {
  axes: SweepAxes;
  latencyBudgetMs: number | null;
}

/** A sweep while it is planned: what the plan will keep, and the configurations each model runs. */
export interface SweepDraft {
  sweep: Sweep;
  configs: UnitConfig[];
}

/** Devices that cannot run on this machine, each with what `bench` would have said. */
export type UnusableDevices = ReadonlyMap<string, string>;

/** The configurations of the axes, in order: batch size, then threads, then device. */
export function configurations(axes: SweepAxes, settings: ResolvedRunOptions): UnitConfig[] {
  const batchSizes = axes.batchSize ?? [settings.batchSize];
  const threads = axes.threads ?? [settings.threads];
  const devices = axes.device ?? [settings.device];
  return batchSizes.flatMap((batchSize) =>
    threads.flatMap((t) => devices.map((device) => ({ batchSize, threads: t, device }))),
  );
}

const hubModel = (e: ModelEntry) => `${e.hfId}@${e.revision}`;

/** A model folder's ONNX weights for a dtype, if the folder is on disk. */
function weightsIn(dir: string, dtype: Dtype): boolean | undefined {
  const onnx = join(dir, 'onnx');
  if (!existsSync(onnx)) return undefined;
  return readdirSync(onnx).some((f) => weightFilePattern(dtype).test(f) && f.endsWith('.onnx'));
}

/**
 * A dtype axis selects registered variants: for each Hub model asked for (a variant of it names
 * it too), the registry entry of that model and revision with each dtype. A dtype with no such
 * entry is skipped with the reason, saying whether its ONNX file is there to register.
 */
export async function selectDtypes(
  entries: readonly ModelEntry[],
  dtypes: readonly string[],
  registry: ModelRegistry,
  hub: HubConfig,
): Promise<{ entries: ModelEntry[]; skipped: SweptOut[] }> {
  const selected: ModelEntry[] = [];
  const skipped: SweptOut[] = [];
  const models = [...new Map(entries.map((e) => [hubModel(e), e])).values()];
  for (const asked of models) {
    const variants = registry.forTask(asked.task).filter((e) => hubModel(e) === hubModel(asked));
    for (const dtype of dtypes as Dtype[]) {
      const variant = variants.find((e) => e.dtype === dtype);
      if (variant) {
        selected.push(variant);
        continue;
      }
      const location = await locateModel(asked, hub);
      const dir = location.where === 'unavailable' ? undefined : location.dir;
      const file = `onnx/model${dtypeSuffix[dtype]}.onnx`;
      const present = dir === undefined ? undefined : weightsIn(dir, dtype);
      const files =
        present === true
          ? `; ${dir}/${file} is there: add a variant with that dtype to models.json to sweep it`
          : present === false
            ? `, nor is there a ${file} in ${dir}`
            : ` (its weights would be ${file})`;
      const registered = variants.map((e) => `${e.id} (${e.dtype})`).join(', ');
      skipped.push({
        model: asked.hfId,
        config: { dtype },
        reason: `no registered variant of ${asked.hfId} has dtype ${dtype} (models.json has ${registered})${files}`,
      });
    }
  }
  return { entries: selected, skipped };
}

/** The devices that cannot run here, with what `bench` would have said (it refuses the run instead). */
export async function unusableDevices(
  devices: readonly string[],
  check: (device: string) => Promise<unknown>,
): Promise<Map<string, string>> {
  const unusable = new Map<string, string>();
  for (const device of new Set(devices)) {
    try {
      await check(device);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      unusable.set(device, errorMessage(err));
    }
  }
  return unusable;
}

/** What a sweep's unit needs of the machine running it. */
interface Here {
  location: ModelLocation;
  /** Samples of a repetition. */
  samples: number;
  unusableDevices: UnusableDevices | undefined;
}

/** Why a sweep's unit cannot run here, or undefined when it can (a unit of no sweep always can). */
export function unrunnable(unit: PlanUnit, here: Here): string | undefined {
  const { config } = unit;
  if (!config) return undefined;
  const { location } = here;
  // A model not available offline is skipped as such (bench's skip), whatever else this machine lacks.
  if (location.where === 'unavailable' && location.reason === 'offline') return undefined;
  const device = here.unusableDevices?.get(config.device);
  if (device !== undefined) return device;
  if (location.where === 'unavailable' && location.reason === 'incomplete') return location.message;
  if (config.batchSize > here.samples) {
    return `batch size ${config.batchSize} is more than the ${here.samples} samples of a repetition`;
  }
  return undefined;
}

/** The sweep's models (dtype variants) and configurations, and the devices among them that cannot run here. */
export async function draftSweep(
  entries: readonly ModelEntry[],
  request: SweepRequest,
  settings: ResolvedRunOptions,
  ctx: { id: string; registry: ModelRegistry; hub: HubConfig; checkDevice: (device: string) => Promise<unknown> },
): Promise<{ entries: ModelEntry[]; draft: SweepDraft; unusable: Map<string, string> }> {
  const { axes } = request;
  if (Object.values(axes).every((a) => a === undefined)) {
    throw new UserError('sweep: give at least one axis (--batch-size, --threads, --dtype or --device, as comma lists)');
  }
  const dtypes = axes.dtype
    ? await selectDtypes(entries, axes.dtype, ctx.registry, ctx.hub)
    : { entries: [...entries], skipped: [] };
  const devices = axes.device ?? [settings.device];
  const unusable = await unusableDevices(devices, ctx.checkDevice);
  if (devices.every((d) => unusable.has(d))) {
    throw new UserError(`sweep: no device of --device can run here: ${[...unusable.values()].join('; ')}`);
  }
  if (dtypes.entries.length === 0) {
    throw new UserError(`sweep: no model has a dtype of --dtype: ${dtypes.skipped.map((s) => s.reason).join('; ')}`);
  }
  return {
    entries: dtypes.entries,
    draft: {
      sweep: { id: ctx.id, axes, latencyBudgetMs: request.latencyBudgetMs, skipped: dtypes.skipped },
      configs: configurations(axes, settings),
    },
    unusable,
  };
}
