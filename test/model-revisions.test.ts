// Every registered model that comes from the Hub names the commit it was measured at, so a
// later upload to the repo (new ONNX exports, renamed files) cannot change what a record means;
// where no commit could be confirmed, its note says so.
import { existsSync } from 'node:fs';
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
});
