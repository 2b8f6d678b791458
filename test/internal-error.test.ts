// A bug met mid-run (here: describing the software throws, as a stand-in for any bug after the
// plan is written) is exit 3 with its stack, then "please report" and the command that resumes
// the run, whose finished records are kept.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { internalErrorText } from '../src/util/errors.js';
import { cli, hubDir, quickRun, resumePrefix, smallModel, tempDir } from './helpers/env.js';

const bug = vi.hoisted(() => ({ armed: false }));

vi.mock('../src/util/system.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/util/system.js')>();
  return {
    ...real,
    describeSoftware: () => {
      if (bug.armed) throw new TypeError("Cannot read properties of undefined (reading 'version')");
      return real.describeSoftware();
    },
  };
});

describe('internal errors', () => {
  it('keep their stack, end with "please report" and the resume command, and exit 3', async () => {
    const out = tempDir();
    bug.armed = true;
    const cache = tempDir();
    const r = await cli(['bench', ...smallModel, ...quickRun, '--run-id', 'buggy', '--out', out], {
      JOULEBENCH_CACHE: cache,
    }).finally(() => {
      bug.armed = false;
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^joulebench: internal error: TypeError: Cannot read properties of undefined/m);
    expect(r.stderr).toMatch(/^\s+at /m); // the stack, for the report
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      'joulebench: this is a bug in joulebench, please report it with the lines above. ' +
        `Finished records are kept; resume with: ${resumePrefix} buggy --out ${out} --hub ${hubDir} --cache ${cache}`,
    );
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(['buggy.plan.json']); // the lock is released
    const resumed = await cli(['bench', '--resume', 'buggy', '--out', out]);
    expect(resumed.status).toBe(0);
  });

  it('before a run exists there is nothing to resume: the report ends with "please report"', () => {
    const text = internalErrorText(new RangeError('Invalid array length'));
    expect(text).toMatch(/^joulebench: internal error: RangeError: Invalid array length\n\s+at /);
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'joulebench: this is a bug in joulebench, please report it with the lines above.',
    );
  });
});
