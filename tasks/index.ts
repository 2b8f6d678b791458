// The task registry: one line per task. A task module default-exports defineTask({...}).
// Modules load lazily so an unknown name fails before anything heavy is imported.
import { unknownName } from '../src/errors.js';
import type { TaskDef } from '../src/task.js';

// (Annotated, not inferred: models.json's schema needs the names, and task modules need the
// schema's types, so inference would be circular.)
const loaders: Record<string, () => Promise<{ default: TaskDef }>> = {
  classification: () => import('./classification.js'),
  generation: () => import('./generation.js'),
  summarization: () => import('./summarization.js'),
};

export const taskNames: readonly string[] = Object.keys(loaders);

export function isTaskName(name: string): boolean {
  return Object.hasOwn(loaders, name);
}

export async function loadTask(name: string): Promise<TaskDef> {
  const load = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (!load) throw unknownName('task', name, taskNames);
  return (await load()).default;
}
