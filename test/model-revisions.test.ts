// Every registered model that comes from the Hub names the commit it was measured at, so a
// later upload to the repo (new ONNX exports, renamed files) cannot change what a record means;
// where no commit could be confirmed, its note says so.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../src/run/benchmark.js';
import { hubDir } from './helpers/env.js';

describe('model revisions', () => {
  it('pin a full commit hash for every Hub model, or say in the note why not', async () => {
    const hubModels = (await openRegistry()).models.filter(
      (m) => !existsSync(join(hubDir, 'models', m.hfId)), // the offline mirror's own models are not on the Hub
    );
    expect(hubModels.length).toBeGreaterThan(0);
    for (const m of hubModels) {
      if (m.revision === 'main') expect(m.note, m.id).toMatch(/Revision not pinned: .+/);
      else expect(m.revision, m.id).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('pins @huggingface/hub exactly, in package.json and the lockfile: the tree URL depends on how it encodes a revision', () => {
    const read = (file: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', file), 'utf8'));
    const wanted = read('package.json').dependencies['@huggingface/hub'] as string;
    expect(wanted).toMatch(/^\d+\.\d+\.\d+$/); // no ^ or ~: a release that encodes refs/ itself would 404
    expect(read('package-lock.json').packages['node_modules/@huggingface/hub'].version).toBe(wanted);
  });
});
