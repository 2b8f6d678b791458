import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateModel, resolveHubConfig, type HubConfig } from '../src/model/hub.js';
import { openRegistry } from '../src/run/benchmark.js';
import type { ModelEntry } from '../src/schema/model-entry.js';
import { hubDir, tempDir, unreachableHub } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';

function config(over: Partial<HubConfig>): HubConfig {
  return { ...resolveHubConfig({ cache: tempDir() }, {}), ...over };
}

async function entry(id: string): Promise<ModelEntry> {
  return (await openRegistry()).models.find((m) => m.id === id)!;
}

describe('locating a model', () => {
  it('finds a model in the local mirror with the weights of its dtype', async () => {
    const loc = await locateModel(await entry('karpathy/stories260K:q8'), config({ hubDir, offline: true }));
    expect(loc).toMatchObject({ where: 'local-hub', dir: join(hubDir, 'models', 'karpathy/stories260K') });
  });

  it('reports incomplete model files, naming the folder and the missing weights', async () => {
    const root = tempDir();
    const dir = join(root, 'models', 'karpathy', 'stories260K');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    const loc = await locateModel(await entry('karpathy/stories260K:q8'), config({ hubDir: root, offline: true }));
    expect(loc.where).toBe('unavailable');
    expect(loc).toMatchObject({ reason: 'incomplete' });
    expect((loc as { message: string }).message).toContain(
      `model files incomplete in ${dir}: no onnx/*_quantized.onnx weights for dtype q8`,
    );
  });

  it('says "not available offline" with every place it looked', async () => {
    const cfg = config({ hubDir, offline: true });
    const t5 = await entry('Xenova/t5-small');
    const loc = await locateModel(t5, cfg);
    expect(loc).toMatchObject({ where: 'unavailable', reason: 'offline' });
    const cached = join(cfg.cacheDir, 'revisions', t5.revision, 'Xenova/t5-small'); // t5-small is pinned
    expect((loc as { message: string }).message).toBe(
      `not available offline (looked in ${join(hubDir, 'models', 'Xenova/t5-small')}, ${cached}; offline mode)`,
    );
    const unreachable = await locateModel(
      await entry('Xenova/t5-small'),
      config({ hubDir, remoteHost: unreachableHub }),
    );
    expect((unreachable as { message: string }).message).toMatch(
      /^not available offline \(looked in .*; http:\/\/127.0.0.1:39871 unreachable: ECONNREFUSED\)$/,
    );
  });

  describe('with a reachable Hub', () => {
    const token = 'hf_modelToken';
    let hub: FakeHub;
    beforeAll(async () => {
      const root = tempDir();
      cpSync(join(hubDir, 'models', 'joulebench-fixtures'), join(root, 'models', 'joulebench-fixtures'), {
        recursive: true,
      });
      hub = await startFakeHub(root, { token, gated: ['joulebench-fixtures/tiny-random-bart'] });
    });
    afterAll(() => hub.close());

    const bow = () => entry('joulebench-fixtures/sentiment-bow-en');
    const probes = (id: string) => hub.paths().filter((p) => p.startsWith(`/api/models/${id}/`)).length;

    it('plans a download into the cache when the Hub has the model', async () => {
      const cfg = config({ remoteHost: hub.url });
      const loc = await locateModel(await bow(), cfg);
      expect(loc).toMatchObject({
        where: 'hf-hub',
        dir: join(cfg.cacheDir, 'models', 'joulebench-fixtures/sentiment-bow-en'),
      });
    });

    it('asks for a pinned revision and keeps it apart in the cache', async () => {
      const revision = '0123456789abcdef0123456789abcdef01234567';
      const pinned = { ...(await bow()), revision };
      const cfg = config({ remoteHost: hub.url });
      const dir = join(cfg.cacheDir, 'revisions', revision, 'joulebench-fixtures/sentiment-bow-en');
      expect(await locateModel(pinned, cfg)).toMatchObject({ where: 'hf-hub', dir });
      expect(hub.paths()).toContain(`/api/models/joulebench-fixtures/sentiment-bow-en/revision/${revision}`);
      cpSync(join(hubDir, 'models', 'joulebench-fixtures/sentiment-bow-en'), dir, { recursive: true });
      expect(await locateModel(pinned, config({ cacheDir: cfg.cacheDir, offline: true }))).toMatchObject({
        where: 'cache',
        dir,
      });
    });

    it('reports a model the Hub does not know as not found', async () => {
      const loc = await locateModel(await entry('Xenova/t5-small'), config({ remoteHost: hub.url }));
      expect(loc).toMatchObject({ where: 'unavailable', reason: 'not-found' });
      expect((loc as { message: string }).message).toMatch(
        /^not found on the Hub \(HTTP 401 for .*: unknown repo, or private or gated: set HF_TOKEN if you have access\)/,
      );
    });

    it('sends HF_TOKEN with the probe, so a gated model is found', async () => {
      const bart = await entry('joulebench-fixtures/tiny-random-bart');
      expect(await locateModel(bart, config({ remoteHost: hub.url }))).toMatchObject({ reason: 'not-found' });
      const withToken = config({ remoteHost: hub.url, token });
      expect(await locateModel(bart, withToken)).toMatchObject({ where: 'hf-hub' });
      expect(hub.requests.at(-1)!.authorization).toBe(`Bearer ${token}`);
    });

    it('asks the Hub again, once per run, for a cached model whose weights download failed', async () => {
      const cfg = config({ remoteHost: hub.url });
      const dir = join(cfg.cacheDir, 'models', 'joulebench-fixtures/sentiment-bow-en');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'config.json'), '{}'); // what a download that failed at the weights leaves
      const before = probes('joulebench-fixtures/sentiment-bow-en');
      expect(await locateModel(await bow(), cfg)).toMatchObject({ where: 'hf-hub', dir });
      expect(await locateModel(await bow(), cfg)).toMatchObject({ where: 'hf-hub', dir }); // the run's second look
      expect(probes('joulebench-fixtures/sentiment-bow-en')).toBe(before + 1);
      // Offline, or when the Hub cannot supply it, it is incomplete, and the message says why.
      const offline = await locateModel(await bow(), { ...cfg, offline: true });
      expect(offline).toMatchObject({ where: 'unavailable', reason: 'incomplete' });
      const goneDir = join(cfg.cacheDir, 'models', 'joulebench-fixtures/gone');
      mkdirSync(goneDir, { recursive: true });
      writeFileSync(join(goneDir, 'config.json'), '{}');
      const gone = await locateModel({ ...(await bow()), id: 'gone', hfId: 'joulebench-fixtures/gone' }, cfg);
      expect(gone).toMatchObject({ where: 'unavailable', reason: 'incomplete' });
      expect((gone as { message: string }).message).toMatch(
        new RegExp(
          `^model files incomplete in ${goneDir}: no onnx/\\*\\.onnx weights .*; ` +
            'the Hub could not supply them \\(HTTP 401',
        ),
      );
    });
  });
});
