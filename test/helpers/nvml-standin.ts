// Builds test/fixtures/nvml-standin.c (a fake libnvidia-ml over GPUs of known, constant power)
// into a temp dir, and configures it. The library reads its configuration from the process
// environment at nvmlInit_v2 and nvmlDeviceGetCount_v2 (each probe calls it), so tests set
// process.env (koffi calls see it through getenv).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const source = resolve(import.meta.dirname, '../fixtures/nvml-standin.c');

/** The stand-in needs a C compiler; tests that load it skip without one. */
export const hasCompiler = spawnSync('cc', ['--version']).status === 0;
export const noCompilerMessage = 'no C compiler (cc) on this machine: the NVML stand-in library cannot be built';

/** Compiles the stand-in; returns the path of libnvidia-ml.so.1. */
export function buildNvmlStandin(): string {
  const lib = join(mkdtempSync(join(tmpdir(), 'joulebench-nvml-')), 'libnvidia-ml.so.1');
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', lib, source, '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed to build the NVML stand-in: ${cc.stderr}`);
  return lib;
}

interface StandinConfig {
  /** One wattage per GPU. */
  watts: number[];
  /** GPU indices without an energy counter (pre-Volta): the meter must sample power. */
  noCounter?: number[];
  /** GPU indices without power readings either. */
  noPower?: number[];
  /** GPU indices whose handle NVML refuses (NVML_ERROR_NO_PERMISSION). */
  noPermission?: number[];
  /** GPU indices with persistence mode on (default: none, as on Linux after boot). */
  persistence?: number[];
  /** Every GPU's enforced power limit, watts (default 400). */
  limitW?: number;
  /** Energy counter update period, ms (default 100, as real GPUs). */
  stepMs?: number;
  /** nvmlReturn_t that nvmlInit_v2 fails with (9 = driver not loaded). */
  initError?: number;
  /** File that gets a line per nvmlInit_v2 and nvmlShutdown. */
  log?: string;
}

export function configureStandin(config: StandinConfig): void {
  process.env.NVML_STANDIN_WATTS = config.watts.join(',');
  process.env.NVML_STANDIN_NO_COUNTER = (config.noCounter ?? []).join(',');
  process.env.NVML_STANDIN_NO_POWER = (config.noPower ?? []).join(',');
  process.env.NVML_STANDIN_NO_PERMISSION = (config.noPermission ?? []).join(',');
  process.env.NVML_STANDIN_PERSISTENCE = (config.persistence ?? []).join(',');
  process.env.NVML_STANDIN_LIMIT_W = config.limitW === undefined ? '' : String(config.limitW);
  process.env.NVML_STANDIN_STEP_MS = config.stepMs === undefined ? '' : String(config.stepMs);
  process.env.NVML_STANDIN_INIT_ERROR = config.initError === undefined ? '' : String(config.initError);
  process.env.NVML_STANDIN_LOG = config.log ?? '';
}

/** Stand-in UUID of GPU `index`. */
export const standinUuid = (index: number) => `GPU-5a1e0000-0000-4000-8000-${String(index).padStart(12, '0')}`;
