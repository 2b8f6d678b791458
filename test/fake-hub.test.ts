// The stand-in Hub answers as huggingface.co does (as @huggingface/hub 2.17.5 and huggingface_hub
// read it), so the online tests exercise what the real server does: redirects to a CDN, Xet
// file-info answers, X-Error-Code headers, 401 before 404, and revisions encoded exactly once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileDownloadInfo } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/env.js';
import { startFakeHub, type FakeHub } from './helpers/fake-hub.js';
import { writeParquet } from './helpers/parquet.js';

const token = 'hf_standInToken';
const weights = Buffer.from('not really onnx, but large-file storage all the same');

describe('stand-in Hub', () => {
  let hub: FakeHub;
  let lfsHub: FakeHub;
  beforeAll(async () => {
    const root = tempDir();
    for (const repo of ['org/model', 'org/gated-model']) {
      mkdirSync(join(root, 'models', repo, 'onnx'), { recursive: true });
      writeFileSync(join(root, 'models', repo, 'config.json'), '{"model_type":"bert"}');
      writeFileSync(join(root, 'models', repo, 'onnx', 'model.onnx'), weights);
    }
    writeParquet(join(root, 'datasets', 'org/data', 'refs/convert/parquet/plain_text/test/0000.parquet'), {
      text: ['a'],
    });
    hub = await startFakeHub(root, { token, gated: ['org/gated-model'] });
    lfsHub = await startFakeHub(root, { storage: 'lfs' });
  });
  afterAll(() => Promise.all([hub.close(), lfsHub.close()]));

  const get = (path: string, headers: Record<string, string> = {}, base = hub.url) =>
    fetch(`${base}${path}`, { headers, redirect: 'manual' });

  it('serves a small file itself, with an ETag and the commit', async () => {
    const res = await get('/org/model/resolve/main/config.json');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"model_type":"bert"}');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(res.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('redirects a large file to a second server (the CDN), which serves it with Range support', async () => {
    const res = await get('/org/model/resolve/main/onnx/model.onnx');
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${hub.cdnUrl}/`)).toBe(true);
    expect(hub.cdnUrl).not.toBe(hub.url);
    expect(res.headers.get('x-linked-size')).toBe(String(weights.length));
    expect(res.headers.get('x-linked-etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(Buffer.from(await (await fetch(location)).arrayBuffer())).toEqual(weights);
    const part = await fetch(location, { headers: { range: 'bytes=0-2' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-2/${weights.length}`);
    expect((await fetch(location.split('?')[0]!)).status).toBe(403); // unsigned: refused, as S3 does
  });

  it('answers a Xet-aware client with the file-info headers @huggingface/hub reads', async () => {
    const res = await get('/org/model/resolve/main/onnx/model.onnx', {
      accept: 'application/vnd.xet-fileinfo+json, */*',
      range: 'bytes=0-0',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.xet-fileinfo+json');
    expect(res.headers.get('x-xet-hash')).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.get('x-linked-size')).toBe(String(weights.length));
    expect(res.headers.get('link')).toMatch(
      /<http:[^>]+>; rel="xet-auth", <http:[^>]+>; rel="xet-reconstruction-info"/,
    );
    const info = await fileDownloadInfo({ repo: 'org/model', path: 'onnx/model.onnx', hubUrl: hub.url });
    expect(info).toMatchObject({ size: weights.length, xet: { hash: res.headers.get('x-xet-hash') } });
    // Without Xet, the same probe follows the redirect and reads the size from the CDN's 206.
    const lfs = await fileDownloadInfo({ repo: 'org/model', path: 'onnx/model.onnx', hubUrl: lfsHub.url });
    expect(lfs).toMatchObject({ size: weights.length, url: `${lfsHub.url}/org/model/resolve/main/onnx/model.onnx` });
    expect(lfs!.xet).toBeUndefined();
  });

  it('marks a missing file with X-Error-Code: EntryNotFound (which @huggingface/hub reads as "no file")', async () => {
    const res = await get('/org/model/resolve/main/onnx/model_fp16.onnx');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-error-code')).toBe('EntryNotFound');
    expect(await fileDownloadInfo({ repo: 'org/model', path: 'missing.json', hubUrl: hub.url })).toBeNull();
  });

  it('answers 401 for an unknown or gated repo without a token, and 200 (or 404 if unknown) with it', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const path of ['/api/models/org/nothing/revision/main', '/org/nothing/resolve/main/config.json']) {
      const res = await get(path);
      expect([res.status, res.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
      expect((await get(path, auth)).status).toBe(404);
    }
    for (const path of ['/api/models/org/gated-model/revision/main', '/org/gated-model/resolve/main/config.json']) {
      const res = await get(path);
      expect([res.status, res.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
      expect((await get(path, auth)).status).toBe(200);
    }
    const wrong = await get('/api/models/org/model/revision/main', { authorization: 'Bearer hf_wrong' });
    expect([wrong.status, wrong.headers.get('x-error-message')]).toEqual([
      401,
      'Invalid credentials in Authorization header',
    ]);
  });

  it('takes a revision only encoded exactly once: refs%2Fconvert%2Fparquet', async () => {
    const tree = (rev: string) => get(`/api/datasets/org/data/tree/${rev}/plain_text/test`);
    const ok = await tree('refs%2Fconvert%2Fparquet');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([
      expect.objectContaining({ type: 'file', path: 'plain_text/test/0000.parquet', lfs: expect.any(Object) }),
    ]);
    for (const wrong of ['refs/convert/parquet', 'refs%252Fconvert%252Fparquet']) {
      const res = await tree(wrong);
      expect([res.status, res.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
    }
    const file = '/datasets/org/data/resolve/refs%2Fconvert%2Fparquet/plain_text/test/0000.parquet';
    expect((await get(file)).status).toBe(302);
    expect((await get(file.replace('%2F', '%252F'))).status).toBe(404);
    expect((await get('/api/models/org/model/revision/no-such-branch')).headers.get('x-error-code')).toBe(
      'RevisionNotFound',
    );
  });

  it("lists a dataset's parquet export by config and split", async () => {
    const res = await get('/api/datasets/org/data/parquet');
    expect(await res.json()).toEqual({
      plain_text: { test: [`${hub.url}/api/datasets/org/data/parquet/plain_text/test/0.parquet`] },
    });
    expect((await get('/api/datasets/org/absent/parquet')).status).toBe(401);
  });
});
