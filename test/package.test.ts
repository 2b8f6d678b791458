// The package face: `npm run build` compiles to dist/, the bin prints its version and runs a
// command, and a Node user can import the library and meter their own code.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from './helpers/env.js';

const pkg = tempDir('joulebench-package-');

beforeAll(() => {
  // What `npm run build` does, into a throwaway copy of the package (package.json, models.json, dist/).
  execFileSync(process.execPath, [
    join(repoRoot, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(repoRoot, 'tsconfig.build.json'),
    '--outDir',
    join(pkg, 'dist'),
  ]);
  for (const f of ['package.json', 'models.json']) copyFileSync(join(repoRoot, f), join(pkg, f));
  mkdirSync(join(pkg, 'benchmarks'));
  cpSync(join(repoRoot, 'benchmarks'), join(pkg, 'benchmarks'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'));
}, 120_000);

describe('the built package', () => {
  it('runs as the joulebench bin: --version, and a command', () => {
    const bin = join(pkg, 'dist/src/cli/main.js');
    const version = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(
      (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const list = execFileSync(process.execPath, [bin, 'list'], { encoding: 'utf8' });
    expect(list).toMatch(/^classification\n {2}\S+/);
  });

  it('lets a Node user meter their own code with openMeter(): start(), work, stop()', async () => {
    const lib = (await import(pathToFileURL(join(pkg, 'dist/src/index.js')).href)) as typeof import('../src/index.js');
    const window = await (await lib.openMeter('estimate')).start();
    let x = 0;
    for (let i = 0; i < 2e7; i++) x += Math.sqrt(i);
    const reading = await window.stop();
    expect(x).toBeGreaterThan(0);
    expect(reading).toMatchObject({ meter: 'estimate', kind: 'estimated' });
    expect(reading.components.cpu).toBeGreaterThan(0);
    expect(lib.EnergyReadingSchema.parse(reading)).toEqual(reading);
    expect(lib.taskNames).toContain('summarization');
  });
});
