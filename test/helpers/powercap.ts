// A fake Linux powercap tree in a temp dir, laid out as the kernel lays it out (powercap_sys.c,
// intel_rapl_common.c, drivers/base/core.c): real directories under
// devices/virtual/powercap/<control type>/, sub-zones nested in their parent zone, zone ids
// `<parent>:<hex id>`; class/powercap/ a flat set of symlinks, one per control type and per zone
// at every depth; every zone with `name`, `energy_uj` (mode 0400, as since CVE-2020-8694),
// `max_energy_range_uj`, `enabled`, `uevent`, a `power/` directory, a `subsystem` link to the
// class and a `device` link to its parent; constraint files only where a power limit exists (never
// `max_power_range_uw` or `power_uw`: RAPL has neither). The counters advance in real time from a
// worker thread (fixtures/powercap-writer.mjs), so they keep moving while the test's main thread
// is blocked; zones that mirror another (AMD per-CCD zones on kernels 6.10/6.11) show its counter.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface ZoneSpec {
  /** The kernel's id: `intel-rapl:0`, `intel-rapl:a`, `intel-rapl:0:2` (inside intel-rapl:0), `intel-rapl-tpmi:0`. */
  id: string;
  name: string;
  watts: number;
  /** Counter range; the default is a typical Intel package's (ESU 14: 262,143,328,850 uJ). */
  maxRangeUj?: number;
  /** Counter value at t = 0 (place it just below the range to wrap early). */
  startUj?: number;
  /** Power limits (`constraint_N_*`), as Intel exposes them; AMD zones have none. */
  constraints?: { name: 'long_term' | 'short_term' | 'peak_power'; limitW: number; maxW?: number }[];
  /** Reads the same hardware counter as that zone (AMD per-CCD zones on kernels 6.10 / 6.11.0). */
  mirrorOf?: string;
  /**
   * energy_uj is a directory, so reading it fails (EISDIR). Tests run as root, and root
   * reads a mode-0400 file anyway, so permissions cannot make a file unreadable.
   */
  unreadable?: boolean;
  /** `enabled` (PL1 enabled); AMD zones read 0. */
  enabled?: 0 | 1;
}

const INTEL_PACKAGE_RANGE_UJ = 262_143_328_850;

const CONTROL = /^(.+?)(:[0-9a-f]+)+$/;

/** `intel-rapl:0:2` -> `intel-rapl:0`; a top-level zone's parent is its control type. */
function parentOf(id: string): string {
  return id.replace(/:[0-9a-f]+$/, '');
}

export class PowercapFixture {
  readonly base: string;
  /** What JOULEBENCH_POWERCAP_ROOT should point at (class/powercap). */
  readonly root: string;
  readonly #dirs = new Map<string, string>();
  readonly #counterOf = new Map<string, number>();
  readonly #writer: Worker | undefined;
  #seq = 0;
  readonly #pending = new Map<number, (value: number) => void>();
  #started: Promise<void> = Promise.resolve();

  /** A tree whose counters are already advancing. */
  static async start(zones: ZoneSpec[], options: { updateMs?: number } = {}): Promise<PowercapFixture> {
    const fixture = new PowercapFixture(zones, options);
    await fixture.#started;
    return fixture;
  }

  private constructor(zones: ZoneSpec[], options: { updateMs?: number } = {}) {
    // In memory, as sysfs is: on a disk file system each counter update (a rename) costs ~0.4 ms.
    this.base = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'joulebench-powercap-'));
    this.root = join(this.base, 'class/powercap');
    mkdirSync(this.root, { recursive: true });
    const devices = join(this.base, 'devices/virtual/powercap');
    const t0 = Number(process.hrtime.bigint()) / 1e9;
    const counters: { files: string[]; watts: number; uj: number; rangeUj: number; frozen: boolean }[] = [];
    for (const control of new Set(zones.map((z) => z.id.match(CONTROL)![1]!))) {
      const dir = join(devices, control);
      this.#device(dir, control);
      this.#dirs.set(control, dir);
    }
    // Parents before children, as the kernel registers them.
    for (const spec of [...zones].sort((a, b) => a.id.split(':').length - b.id.split(':').length)) {
      const parent = this.#dirs.get(parentOf(spec.id));
      if (!parent) throw new Error(`zone ${spec.id}: no parent ${parentOf(spec.id)}`);
      const dir = join(parent, spec.id);
      this.#device(dir, spec.id);
      this.#dirs.set(spec.id, dir);
      symlinkSync(relative(dir, dirname(dir)) || '..', join(dir, 'device'));
      writeFileSync(join(dir, 'name'), `${spec.name}\n`);
      writeFileSync(join(dir, 'max_energy_range_uj'), `${spec.maxRangeUj ?? INTEL_PACKAGE_RANGE_UJ}\n`);
      writeFileSync(join(dir, 'enabled'), `${spec.enabled ?? (spec.constraints ? 1 : 0)}\n`);
      for (const [n, c] of (spec.constraints ?? []).entries()) {
        writeFileSync(join(dir, `constraint_${n}_name`), `${c.name}\n`);
        writeFileSync(join(dir, `constraint_${n}_power_limit_uw`), `${Math.round(c.limitW * 1e6)}\n`);
        writeFileSync(join(dir, `constraint_${n}_time_window_us`), `${c.name === 'long_term' ? 27983872 : 2440}\n`);
        if (c.maxW !== undefined) writeFileSync(join(dir, `constraint_${n}_max_power_uw`), `${c.maxW * 1e6}\n`);
      }
      const file = join(dir, 'energy_uj');
      if (spec.unreadable) {
        mkdirSync(file);
        continue;
      }
      const start = spec.startUj ?? 0;
      writeFileSync(file, `${start}\n`);
      chmodSync(file, 0o400);
      const source = spec.mirrorOf !== undefined ? this.#counterOf.get(spec.mirrorOf) : undefined;
      if (spec.mirrorOf !== undefined) {
        if (source === undefined) throw new Error(`zone ${spec.id} mirrors ${spec.mirrorOf}, which has no counter`);
        counters[source]!.files.push(file);
        this.#counterOf.set(spec.id, source);
        continue;
      }
      this.#counterOf.set(spec.id, counters.length);
      const rangeUj = spec.maxRangeUj ?? INTEL_PACKAGE_RANGE_UJ;
      counters.push({ files: [file], watts: spec.watts, uj: start, rangeUj, frozen: false });
    }
    if (counters.length > 0) {
      this.#writer = new Worker(new URL('../fixtures/powercap-writer.mjs', import.meta.url), {
        // Every 2 ms (RAPL: about every 1 ms), trees of many zones less often: the writer stays cheap.
        workerData: { counters, updateMs: options.updateMs ?? 2 * Math.max(1, Math.ceil(files(counters) / 8)), t0 },
      });
      this.#writer.unref();
      const writer = this.#writer;
      this.#started = new Promise((resolve) => {
        writer.on('message', (m: { done?: number; started?: boolean; value?: number }) => {
          if (m.started) resolve();
          this.#pending.get(m.done!)?.(m.value ?? 0);
          this.#pending.delete(m.done!);
        });
      });
    }
  }

  /** A sysfs device directory: uevent, power/, subsystem -> the class, and its class link. */
  #device(dir: string, id: string): void {
    mkdirSync(join(dir, 'power'), { recursive: true });
    writeFileSync(join(dir, 'uevent'), '');
    if (!id.includes(':')) writeFileSync(join(dir, 'enabled'), '1\n');
    symlinkSync(relative(dir, this.root), join(dir, 'subsystem'));
    symlinkSync(relative(this.root, dir), join(this.root, id));
  }

  #send(message: object): Promise<number> {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      this.#pending.set(seq, resolve);
      this.#writer!.postMessage({ ...message, seq });
    });
  }

  /** The real directory of a zone (devices/virtual/powercap/...). */
  dir(id: string): string {
    return this.#dirs.get(id)!;
  }

  /** Changes a zone's power from now on. */
  async setWatts(id: string, watts: number): Promise<void> {
    await this.#send({ op: 'watts', index: this.#counterOf.get(id), watts });
  }

  /** Stops a zone's counter at `uj` (it no longer advances), for tests that script counter values. */
  async write(id: string, uj: number): Promise<void> {
    await this.#send({ op: 'freeze', index: this.#counterOf.get(id), uj });
  }

  /** The longest the counters have gone without an update so far (seconds): how stale a read can be. */
  maxUpdateGapS(): Promise<number> {
    return this.#send({ op: 'gap' });
  }

  async close(): Promise<void> {
    await this.#writer?.terminate();
    rmSync(this.base, { recursive: true, force: true });
  }
}

const files = (counters: { files: string[] }[]) => counters.reduce((n, c) => n + c.files.length, 0);

const intelLimits = (tdpW: number): NonNullable<ZoneSpec['constraints']> => [
  { name: 'long_term', limitW: tdpW, maxW: tdpW },
  { name: 'short_term', limitW: tdpW * 1.2, maxW: tdpW * 2 },
];

/** A two-socket Intel server: packages with core/uncore and DRAM inside them, and psys at the top level. */
export function serverZones(): ZoneSpec[] {
  return [
    { id: 'intel-rapl:0', name: 'package-0', watts: 20, constraints: intelLimits(165) },
    { id: 'intel-rapl:0:0', name: 'core', watts: 12 },
    { id: 'intel-rapl:0:1', name: 'uncore', watts: 3 },
    { id: 'intel-rapl:0:2', name: 'dram', watts: 4 },
    { id: 'intel-rapl:1', name: 'package-1', watts: 30, constraints: intelLimits(165) },
    { id: 'intel-rapl:1:0', name: 'core', watts: 18 },
    { id: 'intel-rapl:1:1', name: 'dram', watts: 5 },
    { id: 'intel-rapl:2', name: 'psys', watts: 120 },
  ];
}

/** One Intel package drawing `watts`, with its power limits. */
export function onePackage(watts: number, extra: Partial<ZoneSpec> = {}): ZoneSpec[] {
  return [{ id: 'intel-rapl:0', name: 'package-0', watts, constraints: intelLimits(125), ...extra }];
}

const AMD_RANGE_UJ = 65_532_610_987; // ESU 16 (15.3 uJ units), as AMD reports

/**
 * An AMD two-socket server with 8 CCDs per socket on kernel 6.10 / 6.11.0: one `package-P-die-D`
 * zone per CCD (ids 0..f), every zone of a socket reading that socket's one package counter, each
 * with its `core` child; no power limits, `enabled` 0, no DRAM or psys domain.
 */
export function amdPerCcdZones(socketWatts: [number, number]): ZoneSpec[] {
  const zones: ZoneSpec[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = i < 8 ? 0 : 1;
    const id = `intel-rapl:${i.toString(16)}`;
    const first = `intel-rapl:${(socket * 8).toString(16)}`;
    zones.push({
      id,
      name: `package-${socket}-die-${i % 8}`,
      watts: socketWatts[socket],
      maxRangeUj: AMD_RANGE_UJ,
      startUj: 40_000_000_000 + socket * 7_000_000_000,
      ...(id === first ? {} : { mirrorOf: first }),
    });
    zones.push({ id: `${id}:0`, name: 'core', watts: socketWatts[socket] / 2, maxRangeUj: AMD_RANGE_UJ });
  }
  return zones;
}

/** The same AMD server on a fixed kernel (6.12, 6.11.1): one zone per socket. */
export function amdFixedZones(socketWatts: [number, number]): ZoneSpec[] {
  return socketWatts.flatMap((watts, socket) => [
    { id: `intel-rapl:${socket}`, name: `package-${socket}`, watts, maxRangeUj: AMD_RANGE_UJ },
    { id: `intel-rapl:${socket}:0`, name: 'core', watts: watts / 2, maxRangeUj: AMD_RANGE_UJ },
  ]);
}

/** Intel CLX-AP: two dies per package, each its own counter (`package-P-die-D`) and its own DRAM. */
export function multiDieZones(dieWatts: number[]): ZoneSpec[] {
  return dieWatts.flatMap((watts, i) => [
    {
      id: `intel-rapl:${i.toString(16)}`,
      name: `package-${Math.floor(i / 2)}-die-${i % 2}`,
      watts,
      startUj: 1_000_000_000 * (i + 1) * 7,
      constraints: intelLimits(200),
    },
    { id: `intel-rapl:${i.toString(16)}:0`, name: 'core', watts: watts / 2 },
    { id: `intel-rapl:${i.toString(16)}:1`, name: 'dram', watts: 3 },
  ]);
}

/** Trees made by one test file, closed together after it (so tests can run concurrently, each with its own). */
export function powercapTrees(): {
  start(zones: ZoneSpec[], options?: { updateMs?: number }): Promise<PowercapFixture>;
  closeAll(): Promise<void>;
} {
  const made: PowercapFixture[] = [];
  return {
    async start(zones, options) {
      const tree = await PowercapFixture.start(zones, options);
      made.push(tree);
      return tree;
    },
    closeAll: async () => {
      await Promise.all(made.splice(0).map((t) => t.close()));
    },
  };
}
