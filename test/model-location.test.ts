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
    const loc = await locateModel(await entry('Xenova/t5-small'), cfg);
    expect(loc).toMatchObject({ where: 'unavailable', reason: 'offline' });
    expect((loc as { message: string }).message).toBe(
      `not available offline (looked in ${join(hubDir, 'models', 'Xenova/t5-small')}, ${join(cfg.cacheDir, 'models', 'Xenova/t5-small')}; offline mode)`,
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
    let hub: FakeHub;
    beforeAll(async () => {
      const root = tempDir();
      cpSync(join(hubDir, 'models', 'joulebench-fixtures'), join(root, 'models', 'joulebench-fixtures'), {
        recursive: true,
      });
      hub = await startFakeHub(root);
    });
    afterAll(() => hub.close());

    it('plans a download into the cache when the Hub has the model', async () => {
      const cfg = config({ remoteHost: hub.url });
      const loc = await locateModel(await entry('joulebench-fixtures/sentiment-bow-en'), cfg);
      expect(loc).toMatchObject({
        where: 'hf-hub',
        dir: join(cfg.cacheDir, 'models', 'joulebench-fixtures/sentiment-bow-en'),
      });
    });

    it('reports a model the Hub does not know as not found', async () => {
      const loc = await locateModel(await entry('Xenova/t5-small'), config({ remoteHost: hub.url }));
      expect(loc).toMatchObject({ where: 'unavailable', reason: 'not-found' });
      expect((loc as { message: string }).message).toMatch(/^not found on the Hub \(HTTP 401/); // unknown, without a token
    });
  });
});
