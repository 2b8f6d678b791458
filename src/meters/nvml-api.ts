// libnvidia-ml, called in-process with koffi: the NVML calls the meter makes, bound once per
// library path, and NVML's lifecycle. nvmlInit_v2 is reference-counted and process-wide; without
// persistence mode the driver tears a GPU's state down when no client holds NVML, so joulebench
// initialises it once per process (at the first probe) and shuts it down when the process exits,
// never per window. The sampler thread calls the same library under that one initialisation.
import { errorMessage } from '../util/errors.js';
import { atExit, type Env } from './base.js';

/** Tried in order unless JOULEBENCH_NVML_LIB names one: the driver installs the first. */
export const NVML_LIBRARY_NAMES = ['libnvidia-ml.so.1', 'libnvidia-ml.so'] as const;

const NVML_SUCCESS = 0;
/** nvmlReturn_t NVML_ERROR_NO_PERMISSION. */
export const NVML_ERROR_NO_PERMISSION = 4;
const NVML_FEATURE_ENABLED = 1;
const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE
const VERSION_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

export type Handle = bigint;

export class NvmlError extends Error {
  constructor(
    readonly fn: string,
    readonly code: number,
    text: string,
  ) {
    super(`${fn} failed: ${text} (NVML error ${code})`);
  }
}

type Fn = (...args: unknown[]) => unknown;

/** The NVML calls this meter makes. */
export class NvmlApi {
  readonly path: string;
  readonly #f: Record<string, Fn>;

  private constructor(path: string, f: Record<string, Fn>) {
    this.path = path;
    this.#f = f;
  }

  static async load(path: string): Promise<NvmlApi> {
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(path);
    const f: Record<string, Fn> = {
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
      persistence: lib.func('int nvmlDeviceGetPersistenceMode(void *device, _Out_ int *mode)'),
      limit: lib.func('int nvmlDeviceGetEnforcedPowerLimit(void *device, _Out_ unsigned int *limit)'),
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
  /** Milliwatts now (a 1-second average on Ampere and newer, except GA100). */
  powerMw(h: Handle): number {
    return this.#out('nvmlDeviceGetPowerUsage', (o) => this.#f.power!(h, o));
  }
  /** Persistence mode on? (Linux only; off by default after every boot.) */
  persistent(h: Handle): boolean {
    return this.#out('nvmlDeviceGetPersistenceMode', (o) => this.#f.persistence!(h, o)) === NVML_FEATURE_ENABLED;
  }
  /** The power limit in force, milliwatts. */
  powerLimitMw(h: Handle): number {
    return this.#out('nvmlDeviceGetEnforcedPowerLimit', (o) => this.#f.limit!(h, o));
  }
}

const loaded = new Map<string, NvmlApi>();

/** Loads the first library that opens; the reason lists every path tried. */
export async function loadNvml(
  options: { env?: Env; libraryPath?: string | undefined } = {},
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

const initialised = new Set<NvmlApi>();

/** nvmlInit_v2 once per process and library; nvmlShutdown when the process exits. */
export function holdNvml(api: NvmlApi): void {
  if (initialised.has(api)) return;
  api.init();
  initialised.add(api);
  atExit(() => api.shutdown());
}
