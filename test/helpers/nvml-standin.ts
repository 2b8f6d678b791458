// Builds test/fixtures/nvml-standin.c (a fake libnvidia-ml over GPUs of known, constant power)
// into a temp dir, and configures it. The library reads its configuration from the process
// environment at each nvmlInit_v2, so tests set process.env (koffi calls see it through getenv).
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
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', lib, source], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed to build the NVML stand-in: ${cc.stderr}`);
  return lib;
}

export interface StandinConfig {
  /** One wattage per GPU. */
  watts: number[];
  /** GPU indices without an energy counter (pre-Volta): the meter must sample power. */
  noCounter?: number[];
  /** GPU indices without power readings either. */
  noPower?: number[];
  /** nvmlReturn_t that nvmlInit_v2 fails with (9 = driver not loaded). */
  initError?: number;
}

export function configureStandin(config: StandinConfig): void {
  process.env.NVML_STANDIN_WATTS = config.watts.join(',');
  process.env.NVML_STANDIN_NO_COUNTER = (config.noCounter ?? []).join(',');
  process.env.NVML_STANDIN_NO_POWER = (config.noPower ?? []).join(',');
  process.env.NVML_STANDIN_INIT_ERROR = config.initError === undefined ? '' : String(config.initError);
}

/** Stand-in UUID of GPU `index`. */
export const standinUuid = (index: number) => `GPU-5a1e0000-0000-4000-8000-${String(index).padStart(12, '0')}`;
