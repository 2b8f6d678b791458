// A meter's SourceSlot adds its sampler source once, however many windows ask for it at once:
// a composite meter's parts and overlapping windows prepare concurrently.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourceSlot } from '../src/meters/sampler.js';
import type { SourceSpec } from '../src/meters/sampler-protocol.js';
import { tempDir } from './helpers/env.js';

/** A slot over one counter file; `spec` is called once per source added. */
function counterSlot() {
  const file = join(tempDir('joulebench-slot-'), 'energy_uj');
  writeFileSync(file, '1000\n');
  const spec = vi.fn((): SourceSpec => ({ kind: 'rapl', files: [file], intervalMs: 100 }));
  return { slot: new SourceSlot(spec), spec };
}

const slots: SourceSlot[] = [];
afterEach(async () => {
  await Promise.all(slots.splice(0).map((s) => s.retire()));
});

describe('SourceSlot.get()', () => {
  it('adds one source for two calls made without awaiting in between', async () => {
    const { slot, spec } = counterSlot();
    slots.push(slot);
    const first = slot.get();
    const second = slot.get();
    const [a, b] = await Promise.all([first, second]);
    expect(spec).toHaveBeenCalledTimes(1);
    expect(a).toBe(b);
    expect(await slot.get()).toBe(a);
    expect(spec).toHaveBeenCalledTimes(1);
  });

  it('replaces a dead source once, however many calls ask for it at the same time', async () => {
    const { slot, spec } = counterSlot();
    slots.push(slot);
    const dead = await slot.get();
    dead.dead = true;
    const [a, b] = await Promise.all([slot.get(), slot.get()]);
    expect(spec).toHaveBeenCalledTimes(2);
    expect(a).not.toBe(dead);
    expect(a).toBe(b);
  });

  it('tries again on the next call when a source could not be added', async () => {
    const spec = vi.fn(
      (): SourceSpec => ({ kind: 'nvml', library: '/nonexistent/libnvidia-ml.so.1', indices: [0], intervalMs: 100 }),
    );
    const slot = new SourceSlot(spec);
    slots.push(slot);
    await expect(slot.get()).rejects.toThrow();
    await expect(slot.get()).rejects.toThrow();
    expect(spec).toHaveBeenCalledTimes(2);
  });
});
