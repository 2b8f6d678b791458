// `joulebench list`: the tasks and the models registered for each.
import { taskNames } from '../../../tasks/index.js';
import { openRegistry } from '../../run/benchmark.js';

export async function list(opts: { modelsFile?: string }): Promise<number> {
  const registry = await openRegistry(opts.modelsFile);
  for (const task of taskNames) {
    process.stdout.write(`${task}\n`);
    for (const m of registry.forTask(task)) process.stdout.write(`  ${m.id}  [${m.kind}, ${m.dtype}]  ${m.note}\n`);
  }
  return 0;
}
