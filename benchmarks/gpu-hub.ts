// The part of a hub mirror a suite uses: prints the model and dataset folders (relative to the
// hub) that `benchmarks/gpu-pack.sh` packs, so the pack carries only what the GPU run reads.
//   npx tsx benchmarks/gpu-hub.ts gpu
import { loadTask } from '../tasks/index.js';
import { openRegistry } from '../src/run/benchmark.js';
import { loadSuite } from '../src/run/suites.js';

const suite = loadSuite(process.argv[2] ?? 'gpu');
const registry = await openRegistry();
const folders = new Set<string>();
for (const entry of suite.entries) {
  const task = await loadTask(entry.task);
  folders.add(`datasets/${(entry.dataset ?? task.dataset).id}`);
  for (const model of registry.select(task.name, entry.models ?? [])) folders.add(`models/${model.hfId}`);
}
process.stdout.write(`${[...folders].sort().join('\n')}\n`);
