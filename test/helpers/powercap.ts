// A fake Linux powercap tree in a temp dir, laid out as sysfs lays it out: zone directories
// under devices/virtual/powercap/intel-rapl/, sub-zones nested in their package, and every zone
// (plus the control type) linked again flat from class/powercap/, with `subsystem` links back
// up as in sysfs. Like sysfs, whose energy_uj the kernel computes when it is read, the
// fixture's `readFile` computes each counter at the moment of reading from elapsed time at the
// zone's wattage (wrapping at max_energy_range_uj), after reading the real file so that a
// missing or unreadable one fails as it would. `write` sets a counter file for tests that use
// the meter's own reader.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

export interface ZoneSpec {
  /** `intel-rapl:0` (top level) or `intel-rapl:0:2` (inside intel-rapl:0). */
  id: string;
  name: string;
  watts: number;
  /** Counter range; the default is a real package's (about 262 kJ). */
  maxRangeUj?: number;
  /** Counter value at t = 0 (place it just below the range to wrap early). */
  startUj?: number;
  /**
   * energy_uj is a directory, so reading it fails (EISDIR). Tests run as root here, and root
   * reads a chmod 000 file anyway, so permissions cannot make a file unreadable.
   */
  unreadable?: boolean;
}

const REAL_PACKAGE_RANGE_UJ = 262_143_328_850;

export class PowercapFixture {
  readonly base: string;
  /** What JOULEBENCH_POWERCAP_ROOT should point at (class/powercap). */
  readonly root: string;
  /** Zone by the real path of its energy_uj. */
  readonly #zones = new Map<string, ZoneSpec>();
  readonly #files = new Map<string, string>();
  readonly #t0 = performance.now() / 1000;

  constructor(zones: ZoneSpec[], extras: { mmio?: boolean } = {}) {
    this.base = mkdtempSync(join(tmpdir(), 'joulebench-powercap-'));
    const control = join(this.base, 'devices/virtual/powercap/intel-rapl');
    this.root = join(this.base, 'class/powercap');
    mkdirSync(control, { recursive: true });
    mkdirSync(this.root, { recursive: true });
    writeFileSync(join(control, 'enabled'), '1\n');
    symlinkSync(relative(this.root, control), join(this.root, 'intel-rapl'));
    for (const spec of zones) {
      const parent = spec.id.split(':').length === 3 ? join(control, spec.id.replace(/:\d+$/, '')) : control;
      const dir = join(parent, spec.id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), `${spec.name}\n`);
      writeFileSync(join(dir, 'max_energy_range_uj'), `${spec.maxRangeUj ?? REAL_PACKAGE_RANGE_UJ}\n`);
      writeFileSync(join(dir, 'enabled'), '1\n');
      symlinkSync(relative(dir, this.root), join(dir, 'subsystem')); // sysfs loops back up
      symlinkSync(relative(this.root, dir), join(this.root, spec.id));
      const file = join(dir, 'energy_uj');
      if (spec.unreadable) mkdirSync(file);
      else writeFileSync(file, `${this.counterAt(spec, this.#t0)}\n`);
      this.#zones.set(realpathSync(file), spec);
      this.#files.set(spec.id, file);
    }
    if (extras.mmio) {
      const mmio = join(this.base, 'devices/virtual/powercap/intel-rapl-mmio/intel-rapl-mmio:0');
      mkdirSync(mmio, { recursive: true });
      writeFileSync(join(mmio, 'name'), 'package-0\n');
      symlinkSync(relative(this.root, mmio), join(this.root, 'intel-rapl-mmio:0'));
    }
  }

  /** The counter a zone shows at monotonic time `t` (seconds, performance.now() / 1000). */
  counterAt(spec: ZoneSpec, t: number): number {
    const range = (spec.maxRangeUj ?? REAL_PACKAGE_RANGE_UJ) + 1;
    return Math.floor((spec.startUj ?? 0) + spec.watts * 1e6 * (t - this.#t0)) % range;
  }

  /** A reader for the meter (RaplOptions.readFile): energy_uj is computed as it is read. */
  readonly readFile = (path: string): string => {
    const text = readFileSync(path, 'utf8');
    if (basename(path) !== 'energy_uj') return text;
    const spec = this.#zones.get(realpathSync(path));
    return spec ? `${this.counterAt(spec, performance.now() / 1000)}\n` : text;
  };

  /** Sets a zone's energy_uj file, for tests that read through the meter's own reader. */
  write(id: string, uj: number): void {
    writeFileSync(this.#files.get(id)!, `${uj}\n`);
  }

  close(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** A two-socket Intel server: packages, core/uncore inside them, DRAM per socket, and psys. */
export function serverZones(): ZoneSpec[] {
  return [
    { id: 'intel-rapl:0', name: 'package-0', watts: 20 },
    { id: 'intel-rapl:0:0', name: 'core', watts: 12 },
    { id: 'intel-rapl:0:1', name: 'uncore', watts: 3 },
    { id: 'intel-rapl:0:2', name: 'dram', watts: 4 },
    { id: 'intel-rapl:1', name: 'package-1', watts: 30 },
    { id: 'intel-rapl:1:0', name: 'core', watts: 18 },
    { id: 'intel-rapl:1:1', name: 'dram', watts: 5 },
    { id: 'intel-rapl:2', name: 'psys', watts: 120 },
  ];
}
