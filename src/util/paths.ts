// Where joulebench's own files are (models.json, benchmarks/, package.json), whether it runs
// from the TypeScript sources (src/...) or from the build (dist/src/...).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readJsonFile } from './json-file.js';

/** The fields of a package.json joulebench reads. */
export const PackageJsonSchema = z.object({ name: z.string().optional(), version: z.string().optional() });

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && readJsonFile(pkg, PackageJsonSchema, 'package file').name === 'joulebench') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`joulebench's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The folder of joulebench's package.json. */
export const packageRoot: string = findRoot();

/** A path inside the package, e.g. packagePath('models.json'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot, ...parts);
}

/** joulebench's own version, from package.json. */
export function ownVersion(): string {
  return readJsonFile(packagePath('package.json'), PackageJsonSchema.required(), 'package file').version;
}
