// The sampler thread starts from the compiled package (dist/, a plain .js worker) and from the
// TypeScript sources under tsx (it registers tsx's loader in the worker); vitest, which runs
// every other meter test, is the third way in. Each run here blocks its main thread for 300 ms
// inside a window, so only a sampler thread can have read the counter in between.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectWithin } from './helpers/energy.js';
import { repoRoot, tempDir } from './helpers/env.js';
import { onePackage, PowercapFixture } from './helpers/powercap.js';

let fixture: PowercapFixture;
beforeAll(async () => {
  fixture = await PowercapFixture.start(onePackage(45));
});
afterAll(() => fixture.close());

/** A script that meters a 300 ms busy loop with the RAPL meter of `module` and prints the reading. */
const script = (module: string) => `
  const { probeRapl } = await import(${JSON.stringify(module)});
  const probe = await probeRapl({ root: process.env.ROOT });
  if (!probe.available) throw new Error(probe.reason);
  const w = await probe.meter.start();
  const end = performance.now() + 300;
  while (performance.now() < end);
  const r = await w.stop();
  await probe.meter.close();
  process.stdout.write(JSON.stringify(r));`;

interface Reading {
  durationS: number;
  components: { cpu: number };
  details: { samples: number };
}

/** Runs `code` in a fresh node process (with `flags`) in `cwd` and returns the reading it prints. */
async function run(flags: string[], code: string, cwd: string): Promise<Reading> {
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--input-type=module', '-e', code], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ROOT: fixture.root },
  });
  return JSON.parse(stdout) as Reading;
}

describe.concurrent('the sampler thread', () => {
  it('runs from the tsc build in dist/ (a plain .js worker beside its meter)', async () => {
    const pkg = tempDir('joulebench-sampler-build-');
    execFileSync(process.execPath, [
      join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(repoRoot, 'tsconfig.build.json'),
      '--outDir',
      join(pkg, 'dist'),
    ]);
    symlinkSync(join(repoRoot, 'node_modules'), join(pkg, 'node_modules'));
    symlinkSync(join(repoRoot, 'package.json'), join(pkg, 'package.json'));
    const r = await run([], script(join(pkg, 'dist/src/meters/rapl.js')), pkg);
    expect(r.details.samples).toBeGreaterThanOrEqual(4); // start, end, and readings every 100 ms between
    expectWithin(r.components.cpu, 45 * r.durationS, 5);
  });

  it('runs from the TypeScript sources under tsx', async () => {
    const r = await run(['--import', 'tsx'], script(join(repoRoot, 'src/meters/rapl.ts')), repoRoot);
    expect(r.details.samples).toBeGreaterThanOrEqual(4);
    expectWithin(r.components.cpu, 45 * r.durationS, 5);
  });
});
