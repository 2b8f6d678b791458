// The model registry: models.json, validated with zod against the tasks it is given (so the
// registry imports no task module). Errors name the entry and the field.
import type { z } from 'zod';
import { modelsFileSchema, type ModelEntry, type TaskFacts } from '../schema/model-entry.js';
import { UserError, unknownName } from '../util/errors.js';
import { readJsonFile, type IssueFormatter } from '../util/json-file.js';
import { packagePath } from '../util/paths.js';

const defaultModelsPath = packagePath('models.json');

export class ModelRegistry {
  constructor(readonly models: readonly ModelEntry[]) {}

  forTask(task: string): ModelEntry[] {
    return this.models.filter((m) => m.task === task);
  }

  byId(id: string): ModelEntry | undefined {
    return this.models.find((m) => m.id === id);
  }

  /** Resolves `--model` names (registry id or Hub id) for a task; unknown names fail with suggestions. */
  select(task: string, names: readonly string[]): ModelEntry[] {
    const candidates = this.forTask(task);
    if (names.length === 0) return candidates;
    return names.map((name) => {
      const exact = candidates.find((m) => m.id === name);
      if (exact) return exact;
      const byHub = candidates.filter((m) => m.hfId === name);
      if (byHub.length === 1) return byHub[0]!;
      const elsewhere = this.byId(name);
      if (elsewhere) {
        throw new UserError(`Model '${name}' is registered for task '${elsewhere.task}', not '${task}'.`);
      }
      throw unknownName(
        'model',
        name,
        candidates.map((m) => m.id),
      );
    });
  }
}

/** "entry 3 (id 'x'), field 'dtype': Invalid option ..."; entries count from 1, as a person reads the file. */
const entryIssue: IssueFormatter = (issue, json) => {
  const [top, index, ...rest] = issue.path;
  if (top === 'models' && typeof index === 'number') {
    const entry = (json as { models: Array<{ id?: unknown }> }).models[index];
    const id = typeof entry?.id === 'string' ? ` (id '${entry.id}')` : '';
    const fieldName = rest.length > 0 ? `field '${rest.join('.')}'` : 'entry';
    return `entry ${index + 1}${id}, ${fieldName}: ${issue.message}`;
  }
  return `${issue.path.length > 0 ? `field '${issue.path.join('.')}'` : 'top level'}: ${issue.message}`;
};

/** Reads models.json (or `path`) for these tasks. */
export function loadRegistry(tasks: readonly TaskFacts[], path = defaultModelsPath): ModelRegistry {
  const file: z.output<ReturnType<typeof modelsFileSchema>> = readJsonFile(
    path,
    modelsFileSchema(tasks),
    'model registry',
    entryIssue,
  );
  const seen = new Set<string>();
  for (const m of file.models) {
    if (seen.has(m.id)) throw new UserError(`${path}: model id '${m.id}' appears twice`);
    seen.add(m.id);
  }
  return new ModelRegistry(file.models);
}
