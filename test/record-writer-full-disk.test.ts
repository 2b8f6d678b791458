// Appends are all or nothing: a record that does not fit (a short write, or ENOSPC) is cut back
// to the last complete line and reported as a WriteError; nothing is glued to the next record.
// Against a stub filesystem that runs out of space (always), and a real full tmpfs (as root).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordWriter, type AppendFs } from '../src/records/writer.js';
import { RunRecordSchema } from '../src/schema/result-record.js';
import { WriteError } from '../src/util/errors.js';
import { okRecord } from './helpers/records.js';
import { mountSmallDisk, smallDiskAvailable, type SmallDisk } from './helpers/tmpfs.js';

/** One in-memory file on a disk of `capacity` bytes: writes past it are short, then ENOSPC. */
function stubDisk(capacity: number, failFsync = false): AppendFs & { bytes: () => string; capacity: number } {
  let data = Buffer.alloc(0);
  const disk = {
    capacity,
    bytes: () => data.toString('utf8'),
    openSync: () => 3,
    closeSync: () => {},
    fstatSync: () => ({ size: data.length }),
    writeSync: (_fd: number, buffer: Uint8Array) => {
      const room = disk.capacity - data.length;
      if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const n = Math.min(room, buffer.length);
      data = Buffer.concat([data, buffer.subarray(0, n)]);
      return n;
    },
    fsyncSync: () => {
      if (failFsync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    },
    ftruncateSync: (_fd: number, len: number) => {
      data = data.subarray(0, len);
    },
  };
  return disk;
}

/** A record's line as the writer writes it (schema-parsed: keys in the schema's order). */
const line = (model: string) => `${JSON.stringify(RunRecordSchema.parse(okRecord({ model })))}\n`;

describe('all-or-nothing appends (stub filesystem)', () => {
  it('a short write is cut back to the last complete line and reported as disk full', () => {
    const disk = stubDisk(line('a').length + 100); // room for one record and 100 bytes of the next
    const writer = new RecordWriter('/stub/run.jsonl', disk);
    writer.append(okRecord({ model: 'a' }));
    let thrown: unknown;
    try {
      writer.append(okRecord({ model: 'b' }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(WriteError);
    expect(thrown).toMatchObject({ path: '/stub/run.jsonl', code: 'ENOSPC', diskFull: true });
    expect((thrown as WriteError).message).toMatch(/short write: 100 of \d+ bytes/);
    expect(disk.bytes()).toBe(line('a')); // the fragment is gone
  });

  it('ENOSPC on the first byte leaves the file as it was', () => {
    const disk = stubDisk(line('a').length);
    const writer = new RecordWriter('/stub/run.jsonl', disk);
    writer.append(okRecord({ model: 'a' }));
    expect(() => writer.append(okRecord({ model: 'b' }))).toThrow(WriteError);
    expect(disk.bytes()).toBe(line('a'));
    disk.capacity = 1e9; // space freed: the next append works and starts on a fresh line
    writer.append(okRecord({ model: 'c' }));
    expect(disk.bytes()).toBe(line('a') + line('c'));
  });

  it('a failed fsync takes the record back too (it may not be on the disk)', () => {
    const disk = stubDisk(1e9, true);
    const writer = new RecordWriter('/stub/run.jsonl', disk);
    expect(() => writer.append(okRecord({ model: 'a' }))).toThrow(
      expect.objectContaining({ code: 'EIO', diskFull: false }),
    );
    expect(disk.bytes()).toBe('');
  });
});

describe.runIf(smallDiskAvailable)('all-or-nothing appends (a real full tmpfs)', () => {
  let disk: SmallDisk | undefined;
  afterAll(() => disk?.unmount());

  it('fills the disk record by record; the file ends with the last record that fit, whole', () => {
    disk = mountSmallDisk(64);
    const path = join(disk.dir, 'run.jsonl');
    disk.fill(8192); // two pages: a few records' worth
    const writer = new RecordWriter(path);
    let written = 0;
    let thrown: unknown;
    for (let i = 0; i < 100 && thrown === undefined; i++) {
      try {
        writer.append(okRecord({ model: `m-${i}` }));
        written++;
      } catch (err) {
        thrown = err;
      }
    }
    writer.close();
    expect(thrown).toMatchObject({ code: 'ENOSPC', diskFull: true, path });
    expect(disk.freeBytes(), `${disk.freeBytes()} bytes free, a line is ${line('m-0').length}`).toBeLessThan(
      line('m-0').length,
    );
    expect(written).toBeGreaterThanOrEqual(2);
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const models = text
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { model: string }).model);
    expect(models).toEqual(Array.from({ length: written }, (_, i) => `m-${i}`));
  });
});
