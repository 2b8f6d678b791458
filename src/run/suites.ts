// Suites by name (benchmarks/<name>.json) or by path, validated with the suite schema.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SuiteSchema, type Suite } from '../schema/suite-file.js';
import { UserError } from '../util/errors.js';
import { readJsonFile } from '../util/json-file.js';
import { packagePath } from '../util/paths.js';

const suitesDir = packagePath('benchmarks');

export function loadSuite(nameOrPath: string): Suite {
  const path = existsSync(nameOrPath) ? nameOrPath : join(suitesDir, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    throw new UserError(`Unknown suite '${nameOrPath}': no file ${path} (suites live in benchmarks/*.json)`);
  }
  return readJsonFile(path, SuiteSchema, 'suite');
}
