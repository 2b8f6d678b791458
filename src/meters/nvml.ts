// NVIDIA GPUs through NVML (libnvidia-ml), called in-process with koffi. Each GPU's energy
// counter (mJ since driver load, Volta and newer) is read at the window's start and end; a GPU
// without one (NVML says NOT_SUPPORTED) has its power (mW) sampled every 100 ms and integrated.
// NVML is initialised per window and shut down at its end: NVML counts nested inits, so
// overlapping windows each hold their own.
import { errorMessage } from '../util/errors.js';
import {
  PowerIntegral,
  defineMeter,
  monotonicS,
  type Env,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';
import { visibleGpus, type GpuIdentity } from './cuda-visible.js';

/** Tried in order unless JOULEBENCH_NVML_LIB names one: the driver installs the first. */
export const NVML_LIBRARY_NAMES = ['libnvidia-ml.so.1', 'libnvidia-ml.so'] as const;
export const DEFAULT_NVML_POWER_SAMPLE_MS = 100;

const NVML_SUCCESS = 0;
const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE
const VERSION_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

export interface NvmlOptions {
  env?: Env;
  /** Library path; default env JOULEBENCH_NVML_LIB, else the driver's sonames. */
  libraryPath?: string | undefined;
  /** Power sampling period for GPUs without an energy counter (at most 100 ms in normal use). */
  powerSampleMs?: number;
  now?: () => number;
}

type Handle = bigint;
type Method = 'energy-counter' | 'sampled-power';

export interface NvmlGpu extends GpuIdentity {
  method: Method;
}

class NvmlError extends Error {
  constructor(
    readonly fn: string,
    readonly code: number,
    text: string,
  ) {
    super(`${fn} failed: ${text} (NVML error ${code})`);
  }
}

/** The ten NVML calls this meter makes, bound once per library path. */
export class NvmlApi {
  readonly path: string;
  readonly #f: Record<string, (...args: unknown[]) => unknown>;

  private constructor(path: string, f: Record<string, (...args: unknown[]) => unknown>) {
    this.path = path;
    this.#f = f;
  }

  static async load(path: string): Promise<NvmlApi> {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(path);
    const f = {
      init: lib.func('int nvmlInit_v2()'),
      shutdown: lib.func('int nvmlShutdown()'),
      errorString: lib.func('const char *nvmlErrorString(int result)'),
      count: lib.func('int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)'),
      handle: lib.func('int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ void **device)'),
      name: lib.func('int nvmlDeviceGetName(void *device, char *name, unsigned int length)'),
      uuid: lib.func('int nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length)'),
      energy: lib.func('int nvmlDeviceGetTotalEnergyConsumption(void *device, _Out_ unsigned long long *energy)'),
      power: lib.func('int nvmlDeviceGetPowerUsage(void *device, _Out_ unsigned int *power)'),
      driver: lib.func('int nvmlSystemGetDriverVersion(char *version, unsigned int length)'),
    };
    return new NvmlApi(path, f);
  }

  #check(fn: string, code: unknown): void {
    if (code !== NVML_SUCCESS) throw new NvmlError(fn, code as number, String(this.#f.errorString!(code)));
  }

  #out<T>(fn: string, call: (out: unknown[]) => unknown): T {
    const out: unknown[] = [null];
    this.#check(fn, call(out));
    return out[0] as T;
  }

  #text(fn: string, call: (buf: Buffer) => unknown, size: number): string {
    const buf = Buffer.alloc(size);
    this.#check(fn, call(buf));
    const end = buf.indexOf(0);
    return buf.toString('utf8', 0, end < 0 ? size : end);
  }

  init(): void {
    this.#check('nvmlInit_v2', this.#f.init!());
  }
  shutdown(): void {
    this.#check('nvmlShutdown', this.#f.shutdown!());
  }
  count(): number {
    return this.#out('nvmlDeviceGetCount_v2', (o) => this.#f.count!(o));
  }
  handle(index: number): Handle {
    return this.#out('nvmlDeviceGetHandleByIndex_v2', (o) => this.#f.handle!(index, o));
  }
  name(h: Handle): string {
    return this.#text('nvmlDeviceGetName', (b) => this.#f.name!(h, b, NAME_BUFFER), NAME_BUFFER);
  }
  uuid(h: Handle): string {
    return this.#text('nvmlDeviceGetUUID', (b) => this.#f.uuid!(h, b, NAME_BUFFER), NAME_BUFFER);
  }
  driverVersion(): string {
    return this.#text('nvmlSystemGetDriverVersion', (b) => this.#f.driver!(b, VERSION_BUFFER), VERSION_BUFFER);
  }
  /** Millijoules since driver load. */
  energyMj(h: Handle): number {
    return Number(this.#out<number | bigint>('nvmlDeviceGetTotalEnergyConsumption', (o) => this.#f.energy!(h, o)));
  }
  /** Milliwatts now. */
  powerMw(h: Handle): number {
    return this.#out('nvmlDeviceGetPowerUsage', (o) => this.#f.power!(h, o));
  }
}

const loaded = new Map<string, NvmlApi>();

/** Loads the first library that opens; the reason lists every path tried. */
export async function loadNvml(
  options: NvmlOptions = {},
): Promise<{ ok: true; api: NvmlApi } | { ok: false; reason: string }> {
  const override = options.libraryPath ?? (options.env ?? process.env).JOULEBENCH_NVML_LIB;
  const candidates = override ? [override] : [...NVML_LIBRARY_NAMES];
  const failures: string[] = [];
  for (const path of candidates) {
    const cached = loaded.get(path);
    if (cached) return { ok: true, api: cached };
    try {
      const api = await NvmlApi.load(path);
      loaded.set(path, api);
      return { ok: true, api };
    } catch (err) {
      failures.push(`${path}: ${errorMessage(err)}`);
    }
  }
  if (!override && failures.every((f) => f.includes('No such file or directory'))) {
    return {
      ok: false,
      reason: `NVML library not found (tried ${candidates.join(', ')}): no NVIDIA driver here, or set JOULEBENCH_NVML_LIB to its path`,
    };
  }
  return {
    ok: false,
    reason: `NVML library could not be loaded${override ? ' (JOULEBENCH_NVML_LIB)' : ''}: ${failures.join('; ')}`,
  };
}

/** Runs `fn` between nvmlInit_v2 and nvmlShutdown. */
function session<T>(api: NvmlApi, fn: () => T): T {
  api.init();
  try {
    return fn();
  } finally {
    api.shutdown();
  }
}

/** The energy counter where NVML has one (Volta and newer), else sampled power, else nothing. */
function methodOf(api: NvmlApi, h: Handle): Method | { unsupported: string } {
  const failures: string[] = [];
  for (const [method, read] of [
    ['energy-counter', () => api.energyMj(h)],
    ['sampled-power', () => api.powerMw(h)],
  ] as const) {
    try {
      read();
      return method;
    } catch (err) {
      failures.push(errorMessage(err));
    }
  }
  return { unsupported: failures.join('; ') };
}

const methodText = (m: Method) =>
  m === 'energy-counter' ? 'energy counter' : 'no energy counter: power sampled and integrated';

export async function probeNvml(options: NvmlOptions = {}): Promise<MeterProbe> {
  const lib = await loadNvml(options);
  if (!lib.ok) return { available: false, reason: lib.reason, devices: [] };
  const api = lib.api;
  const env = options.env ?? process.env;
  let all: (GpuIdentity & { method: Method | { unsupported: string } })[];
  let driverVersion: string;
  try {
    ({ all, driverVersion } = session(api, () => {
      const count = api.count();
      const gpus = Array.from({ length: count }, (_, index) => {
        const h = api.handle(index);
        return { index, name: api.name(h), uuid: api.uuid(h), method: methodOf(api, h) };
      });
      return { all: gpus, driverVersion: api.driverVersion() };
    }));
  } catch (err) {
    return { available: false, reason: `${api.path}: ${errorMessage(err)}`, devices: [] };
  }
  const visible = visibleGpus(all, env);
  const shown = visible.ok ? new Set(visible.gpus) : new Set();
  const devices = all.map((g) => {
    const how = typeof g.method === 'string' ? methodText(g.method) : g.method.unsupported;
    const hidden = visible.ok && !shown.has(g) ? ', hidden by CUDA_VISIBLE_DEVICES' : '';
    return `GPU ${g.index}: ${g.name} (${g.uuid}) — ${how}${hidden}`;
  });
  if (all.length === 0) return { available: false, reason: `NVML (driver ${driverVersion}) sees no GPU`, devices };
  if (!visible.ok) return { available: false, reason: visible.reason, devices };
  const blind = visible.gpus.filter((g) => typeof g.method !== 'string');
  if (blind.length > 0) {
    const which = blind.map((g) => `GPU ${g.index} (${g.name})`).join(', ');
    const why = blind.map((g) => (g.method as { unsupported: string }).unsupported).join('; ');
    return { available: false, reason: `${which}: neither energy counter nor power readable (${why})`, devices };
  }
  const gpus = visible.gpus.map((g) => ({ ...g, method: g.method as Method }));
  return {
    available: true,
    meter: nvmlMeter(api, gpus, { driverVersion, warnings: visible.warnings }, options),
    devices,
  };
}

interface Track {
  gpu: NvmlGpu;
  handle: Handle;
  startMj?: number;
  integral?: PowerIntegral;
  sampleErrors: number;
}

export interface NvmlMeter extends Meter {
  readonly gpus: readonly NvmlGpu[];
}

export function nvmlMeter(
  api: NvmlApi,
  gpus: NvmlGpu[],
  facts: { driverVersion: string; warnings: string[] },
  options: NvmlOptions = {},
): NvmlMeter {
  const now = options.now ?? monotonicS;
  const sampleMs = options.powerSampleMs ?? DEFAULT_NVML_POWER_SAMPLE_MS;

  /** NVML init and device handles: the slow part, done before the window opens. */
  const prepare = async () => {
    api.init();
    let tracks: Track[];
    try {
      tracks = gpus.map((gpu) => {
        const handle = api.handle(gpu.index);
        // Indices follow PCI order and stay put while the driver is loaded; check anyway.
        const uuid = api.uuid(handle);
        if (uuid !== gpu.uuid)
          throw new Error(`nvml: GPU ${gpu.index} is now ${uuid}, was ${gpu.uuid} (driver reloaded?)`);
        return { gpu, handle, sampleErrors: 0 };
      });
    } catch (err) {
      api.shutdown();
      throw err;
    }
    return { open: () => open(tracks), cancel: () => api.shutdown() };
  };

  const open = (tracks: Track[]) => {
    try {
      for (const t of tracks) {
        if (t.gpu.method === 'energy-counter') t.startMj = api.energyMj(t.handle);
        else {
          t.integral = new PowerIntegral();
          t.integral.add(now(), api.powerMw(t.handle) / 1000);
        }
      }
    } catch (err) {
      api.shutdown();
      throw err;
    }
    const t0 = now();
    const sampled = tracks.filter((t) => t.integral);
    const samplePower = (): void => {
      for (const t of sampled) {
        try {
          const w = api.powerMw(t.handle) / 1000;
          t.integral!.add(now(), w);
        } catch {
          t.sampleErrors++; // the trapezoid then spans the gap
        }
      }
    };
    const timer = sampled.length > 0 ? setInterval(samplePower, sampleMs) : undefined;
    timer?.unref(); // an open window must not keep the process alive
    return {
      async stop() {
        clearInterval(timer);
        try {
          const ends = tracks.map((t) => {
            if (t.integral) {
              t.integral.add(now(), api.powerMw(t.handle) / 1000);
              return t.integral.joules;
            }
            const endMj = api.energyMj(t.handle);
            if (endMj < t.startMj!)
              throw new Error(`nvml: GPU ${t.gpu.index}'s energy counter went backwards (driver reloaded?)`);
            return (endMj - t.startMj!) / 1000;
          });
          return figures(tracks, ends, now() - t0);
        } finally {
          api.shutdown();
        }
      },
    };
  };

  const figures = (tracks: Track[], joules: number[], durationS: number): WindowFigures => {
    const warnings = [...facts.warnings];
    for (const t of tracks) {
      if (t.integral) {
        warnings.push(
          `nvml: GPU ${t.gpu.index} (${t.gpu.name}) has no energy counter: its figure integrates power sampled every ${sampleMs} ms, which NVML may itself average over about 1 s`,
        );
      }
      if (t.sampleErrors > 0)
        warnings.push(
          `nvml: ${t.sampleErrors} power reading(s) of GPU ${t.gpu.index} failed; the integral spans the gaps`,
        );
    }
    return {
      durationS,
      components: { gpu: joules.reduce((a, b) => a + b, 0) },
      details: {
        method:
          'NVML: per-GPU energy counter (mJ) difference; where unsupported, power (mW) sampled and integrated (trapezoid)',
        library: api.path,
        driverVersion: facts.driverVersion,
        devices: tracks.map((t, i) => ({
          index: t.gpu.index,
          name: t.gpu.name,
          uuid: t.gpu.uuid,
          method: t.gpu.method,
          joules: joules[i],
          ...(t.integral ? { samples: t.integral.samples, sampleMs } : {}),
        })),
      },
      warnings,
    };
  };

  const meter = defineMeter({
    name: 'nvml',
    kind: 'measured',
    components: ['gpu'],
    describe: () => {
      const list = gpus.map(
        (g) =>
          `GPU ${g.index} ${g.name} via ${g.method === 'energy-counter' ? 'energy counter' : `power sampled every ${sampleMs} ms`}`,
      );
      return `nvml (${list.join('; ')}) — measured`;
    },
    zeroReason: 'the GPU energy counter did not advance (window shorter than its update period?)',
    prepare,
  });
  return { ...meter, gpus };
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeNvml({ env: ctx.env, ...(ctx.tuning.nvml as NvmlOptions | undefined) });
}
