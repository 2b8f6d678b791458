import { describe, expect, it } from 'vitest';
import { visibleGpus } from '../src/meters/cuda-visible.js';

const gpus = [
  { index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-1f2e3d4c-0000-0000-0000-000000000000' },
  { index: 1, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-9a8b7c6d-0000-0000-0000-000000000001' },
  { index: 2, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-9a8b7c6d-1111-0000-0000-000000000002' },
];
const pick = (value: string | undefined, env: Record<string, string> = {}) =>
  visibleGpus(gpus, { CUDA_VISIBLE_DEVICES: value, ...env });
const indices = (r: ReturnType<typeof pick>) => (r.ok ? r.gpus.map((g) => g.index) : r.reason);

describe('CUDA_VISIBLE_DEVICES, read as the CUDA runtime reads it', () => {
  it('selects every GPU when unset, and none when empty', () => {
    expect(indices(pick(undefined))).toEqual([0, 1, 2]);
    expect(pick('')).toEqual({ ok: false, reason: expect.stringMatching(/is empty/) });
    expect(pick('  ')).toMatchObject({ ok: false });
  });

  it('keeps the order given, by index or by UUID and unique UUID prefix', () => {
    expect(indices(pick('2,0'))).toEqual([2, 0]);
    expect(indices(pick(`${gpus[1]!.uuid}, 0`))).toEqual([1, 0]);
    expect(indices(pick('GPU-1f2e'))).toEqual([0]);
    expect(indices(pick('gpu-9A8B7C6D-1111'))).toEqual([2]);
  });

  it('stops at the first entry that names no GPU, as CUDA does, and warns', () => {
    const r = pick('1,5,0');
    expect(indices(r)).toEqual([1]);
    expect(r.ok && r.warnings).toEqual([
      expect.stringMatching(/'5' is no GPU index here \(0-2\); .* and what follows \(0\) is ignored/),
    ]);
    expect(pick('GPU-9a8b')).toEqual({ ok: false, reason: expect.stringMatching(/'GPU-9a8b' matches 2 GPU UUIDs/) });
    expect(pick('-1,0')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/neither a GPU index nor a GPU UUID/),
    });
  });

  it('counts a GPU named twice once', () => {
    const r = pick(`0,${gpus[0]!.uuid}`);
    expect(indices(r)).toEqual([0]);
    expect(r.ok && r.warnings).toEqual([expect.stringMatching(/names GPU 0 twice; counted once/)]);
  });

  it('refuses MIG instances: the energy counter is the whole GPU', () => {
    expect(pick('MIG-4f1c2b3a-0000-0000-0000-000000000000')).toEqual({
      ok: false,
      reason: expect.stringMatching(/MIG instance/),
    });
  });

  it('warns about index order only on mixed GPUs without CUDA_DEVICE_ORDER=PCI_BUS_ID', () => {
    const mixed = [...gpus.slice(0, 2), { index: 2, name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-aaaa' }];
    const r = visibleGpus(mixed, { CUDA_VISIBLE_DEVICES: '2' });
    expect(r.ok && r.warnings.join()).toMatch(/fastest first/);
    const ordered = visibleGpus(mixed, { CUDA_VISIBLE_DEVICES: '2', CUDA_DEVICE_ORDER: 'PCI_BUS_ID' });
    expect(ordered.ok && ordered.warnings).toEqual([]);
    expect(pick('2').ok && (pick('2') as { warnings: string[] }).warnings).toEqual([]);
  });
});
