// `joulebench verify`: flags -> runVerify().
import { runVerify } from '../../records/verify-inputs.js';
import { openRegistry } from '../../run/benchmark.js';

export async function verify(
  paths: string[],
  opts: { hub?: string; cache?: string; modelsFile?: string },
): Promise<number> {
  return runVerify({ paths, hub: opts.hub, cache: opts.cache, registry: await openRegistry(opts.modelsFile) });
}
