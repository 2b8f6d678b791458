// The task registry: one line per task. A task module default-exports defineTask({...}).
// Modules load lazily so an unknown name fails before anything is imported.
import type { TaskDef } from '../src/task-api.js';
import { unknownName } from '../src/util/errors.js';

const loaders = {
  classification: () => import('./classification.js'),
  generation: () => import('./generation.js'),
  summarization: () => import('./summarization.js'),
  'question-answering': () => import('./question-answering.js'),
  'fill-mask': () => import('./fill-mask.js'),
  'token-classification': () => import('./token-classification.js'),
  'image-classification': () => import('./image-classification.js'),
} satisfies Record<string, () => Promise<{ default: TaskDef }>>;

export const taskNames: readonly string[] = Object.keys(loaders);

export function isTaskName(name: string): name is keyof typeof loaders {
  return Object.hasOwn(loaders, name);
}

export async function loadTask(name: string): Promise<TaskDef> {
  if (!isTaskName(name)) throw unknownName('task', name, taskNames);
  return (await loaders[name]()).default;
}

/** Every task, loaded (task modules are small: no model code). */
export function loadAllTasks(): Promise<TaskDef[]> {
  return Promise.all(taskNames.map(loadTask));
}
