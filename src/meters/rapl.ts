// RAPL through the Linux powercap interface (Intel, and AMD Zen through the same driver).
// Package zones (`package-N`, one per socket) are the CPU; `dram` zones are memory. `core` and
// `uncore` sit inside their package, and `psys` covers the whole platform, so counting any of
// them as well would double-count. Counters are microjoules that wrap at max_energy_range_uj;
// each window samples them on a timer, often enough that no wrap goes unseen.
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../util/errors.js';
import {
  defineMeter,
  monotonicS,
  ready,
  type Env,
  type Meter,
  type MeterContext,
  type MeterProbe,
  type WindowFigures,
} from './base.js';

export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';
/** A package counter wraps after about 262 kJ: minutes even at 500 W, so 250 ms is ample. */
export const DEFAULT_RAPL_SAMPLE_MS = 250;

/** Zone directories (`intel-rapl:0`, `intel-rapl:0:1`) and the control type (`intel-rapl`). */
const ZONE_DIR = /^intel-rapl(:\d+)*$/;

export interface RaplOptions {
  /** powercap root; default env JOULEBENCH_POWERCAP_ROOT, else /sys/class/powercap. */
  root?: string | undefined;
  env?: Env;
  /** Counter sampling period within a window (at most 500 ms in normal use). */
  sampleIntervalMs?: number;
  /** Synchronous file reader; injectable so tests can stage EACCES or scripted counters. */
  readFile?: (path: string) => string;
  /** Monotonic clock, seconds. */
  now?: () => number;
}

export interface RaplZone {
  /** Zone id, e.g. `intel-rapl:0:2`. */
  id: string;
  /** Directory the counters are read from. */
  dir: string;
  /** The zone's `name` file: `package-0`, `dram`, ... */
  name: string;
  component: 'cpu' | 'dram';
  maxRangeUj: number;
}

export interface RaplTopology {
  root: string;
  zones: RaplZone[];
  /** Zones seen and deliberately not counted, with the reason. */
  excluded: { zone: string; name: string; why: string }[];
  /** DRAM zones whose counter could not be read (the packages could). */
  unreadable: { zone: string; name: string; error: string }[];
}

export type RaplDiscovery =
  | { ok: true; topology: RaplTopology; devices: string[] }
  | { ok: false; reason: string; devices: string[] };

const defaultRead = (path: string): string => readFileSync(path, 'utf8');

export function powercapRoot(options: RaplOptions): string {
  return options.root ?? (options.env ?? process.env).JOULEBENCH_POWERCAP_ROOT ?? DEFAULT_POWERCAP_ROOT;
}

/** Every RAPL zone once: the tree shows each zone nested and again as a top-level link. */
function findZoneDirs(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries.sort()) {
      // Only zone names: sysfs also links back up (`subsystem`, `device`), which would loop.
      if (!ZONE_DIR.test(entry)) continue;
      let real: string;
      try {
        real = realpathSync(join(dir, entry));
        if (seen.has(real) || !statSync(real).isDirectory()) continue;
      } catch {
        continue;
      }
      seen.add(real);
      if (entry.includes(':') && !found.has(entry)) found.set(entry, real);
      walk(real);
    }
  };
  walk(root);
  return found;
}

function classify(id: string, name: string): { component: 'cpu' | 'dram' } | { why: string } {
  if (/^package-\d+$/.test(name)) return { component: 'cpu' };
  if (name === 'dram') return { component: 'dram' };
  if (name === 'core' || name === 'uncore') return { why: `inside ${id.replace(/:\d+$/, '')}'s package counter` };
  if (name === 'psys')
    return { why: 'platform counter (psys) spans package, DRAM and more: counting it too would double-count' };
  return { why: `unknown RAPL domain '${name}'` };
}

function readCounter(read: (p: string) => string, path: string): number {
  const text = read(path).trim();
  if (!/^\d+$/.test(text)) throw new Error(`not a counter: '${text.slice(0, 40)}'`);
  return Number(text);
}

function permissionRemedy(root: string, path: string): string {
  return (
    `permission denied reading ${path}: energy counters are root-only on kernels patched for CVE-2020-8694 (since November 2020). ` +
    `Run as root, or grant read access: \`sudo chmod o+r ${root}/intel-rapl:*/energy_uj\` (until reboot; a tmpfiles.d or udev rule makes it stick, see README "Meters")`
  );
}

/** Finds the zones, classifies them, and checks that each counted zone can be read. */
export function discoverRapl(options: RaplOptions = {}): RaplDiscovery {
  const root = powercapRoot(options);
  const read = options.readFile ?? defaultRead;
  let rootEntries: string[];
  try {
    rootEntries = readdirSync(root);
  } catch (err) {
    return {
      ok: false,
      reason: `no powercap tree at ${root} (${errorCode(err)}): not Linux, RAPL driver not loaded, or hidden by a VM or container`,
      devices: [],
    };
  }
  const dirs = findZoneDirs(root);
  if (dirs.size === 0) {
    return {
      ok: false,
      reason: `no RAPL zones (intel-rapl:*) under ${root}: this CPU or kernel exposes no RAPL counters`,
      devices: [],
    };
  }
  const topology: RaplTopology = { root, zones: [], excluded: [], unreadable: [] };
  for (const mmio of rootEntries.filter((e) => /^intel-rapl-mmio:\d+$/.test(e))) {
    topology.excluded.push({
      zone: mmio,
      name: 'mmio',
      why: 'MMIO copy of a package counter already read through intel-rapl',
    });
  }
  const devices: string[] = [];
  const failures: { zone: string; name: string; component: 'cpu' | 'dram'; path: string; err: unknown }[] = [];
  for (const [id, dir] of [...dirs].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    let name: string;
    try {
      name = read(join(dir, 'name')).trim();
    } catch (err) {
      topology.excluded.push({ zone: id, name: '?', why: `name unreadable (${errorCode(err)})` });
      devices.push(`${id} ? (excluded: name unreadable)`);
      continue;
    }
    const kind = classify(id, name);
    if ('why' in kind) {
      topology.excluded.push({ zone: id, name, why: kind.why });
      devices.push(`${id} ${name} (excluded: ${kind.why})`);
      continue;
    }
    const energyPath = join(dir, 'energy_uj');
    try {
      const maxRangeUj = readCounter(read, join(dir, 'max_energy_range_uj'));
      readCounter(read, energyPath);
      topology.zones.push({ id, dir, name, component: kind.component, maxRangeUj });
      devices.push(`${id} ${name} -> ${kind.component}`);
    } catch (err) {
      failures.push({ zone: id, name, component: kind.component, path: energyPath, err });
      devices.push(`${id} ${name} (unreadable: ${errorCode(err)})`);
    }
  }
  const denied = failures.find((f) => ['EACCES', 'EPERM'].includes(errorCode(f.err)));
  const packageFailure = failures.find((f) => f.component === 'cpu');
  if (packageFailure) {
    const reason = denied
      ? permissionRemedy(root, denied.path)
      : `cannot read ${packageFailure.path} (${errorCode(packageFailure.err)})`;
    return { ok: false, reason, devices };
  }
  if (!topology.zones.some((z) => z.component === 'cpu')) {
    return { ok: false, reason: `no RAPL package zone under ${root} (only: ${devices.join('; ')})`, devices };
  }
  for (const f of failures) topology.unreadable.push({ zone: f.zone, name: f.name, error: errorCode(f.err) });
  return { ok: true, topology, devices };
}

export async function probeRapl(options: RaplOptions = {}): Promise<MeterProbe> {
  const found = discoverRapl(options);
  if (!found.ok) return { available: false, reason: found.reason, devices: found.devices };
  return { available: true, meter: raplMeter(found.topology, options), devices: found.devices };
}

interface Track {
  zone: RaplZone;
  last: number;
  uj: number;
  wraps: number;
  readErrors: number;
}

export interface RaplMeter extends Meter {
  readonly topology: RaplTopology;
}

export function raplMeter(topology: RaplTopology, options: RaplOptions = {}): RaplMeter {
  const read = options.readFile ?? defaultRead;
  const now = options.now ?? monotonicS;
  const intervalMs = options.sampleIntervalMs ?? DEFAULT_RAPL_SAMPLE_MS;
  const components = (['cpu', 'dram'] as const).filter((c) => topology.zones.some((z) => z.component === c));
  const counter = (zone: RaplZone) => readCounter(read, join(zone.dir, 'energy_uj'));

  const open = () => {
    const tracks: Track[] = topology.zones.map((zone) => ({
      zone,
      last: counter(zone),
      uj: 0,
      wraps: 0,
      readErrors: 0,
    }));
    const t0 = now();
    let lastT = t0;
    let maxGapS = 0;
    let samples = 1;
    const sample = (final: boolean): void => {
      for (const t of tracks) {
        let value: number;
        try {
          value = counter(t.zone);
        } catch (err) {
          // A missed tick only lengthens the next delta; a missed final read would lose energy.
          if (final) throw new Error(`rapl: cannot read ${t.zone.id}/energy_uj at window end (${errorCode(err)})`);
          t.readErrors++;
          continue;
        }
        let delta = value - t.last;
        if (delta < 0) {
          delta += t.zone.maxRangeUj + 1; // the counter runs 0..max_energy_range_uj, then restarts
          t.wraps++;
        }
        t.uj += delta;
        t.last = value;
      }
      const t = now();
      maxGapS = Math.max(maxGapS, t - lastT);
      lastT = t;
      samples++;
    };
    const timer = setInterval(() => sample(false), intervalMs);
    timer.unref(); // an open window must not keep the process alive
    return {
      async stop() {
        clearInterval(timer);
        sample(true);
        return figures(tracks, lastT - t0, samples, maxGapS);
      },
    };
  };

  const figures = (tracks: Track[], durationS: number, samples: number, maxGapS: number): WindowFigures => {
    const joules: Partial<Record<'cpu' | 'dram', number>> = {};
    for (const t of tracks) joules[t.zone.component] = (joules[t.zone.component] ?? 0) + t.uj / 1e6;
    const warnings: string[] = [];
    for (const u of topology.unreadable)
      warnings.push(`rapl: DRAM zone ${u.zone} is unreadable (${u.error}); DRAM energy is not included`);
    for (const t of tracks) {
      if (t.readErrors > 0)
        warnings.push(
          `rapl: ${t.readErrors} read(s) of ${t.zone.id} failed during the window; the deltas around them were still counted`,
        );
      const wattsUj = t.uj / Math.max(durationS, 1e-9);
      const wrapS = (t.zone.maxRangeUj + 1) / wattsUj;
      if (wattsUj > 0 && maxGapS > wrapS / 2) {
        warnings.push(
          `rapl: ${t.zone.id} wraps every ~${wrapS.toFixed(1)} s at this power but samples were up to ${maxGapS.toFixed(1)} s apart (event loop blocked?): a wrap may have been missed`,
        );
      }
    }
    return {
      durationS,
      components: joules,
      details: {
        method: `powercap energy_uj deltas, sampled every ${intervalMs} ms; each wrap at max_energy_range_uj adds one counter range`,
        root: topology.root,
        zones: tracks.map((t) => ({
          zone: t.zone.id,
          name: t.zone.name,
          component: t.zone.component,
          joules: t.uj / 1e6,
          wraps: t.wraps,
        })),
        excluded: topology.excluded,
        wraps: tracks.reduce((n, t) => n + t.wraps, 0),
        samples,
        maxSampleGapS: maxGapS,
      },
      warnings,
    };
  };

  const zoneNames = (c: 'cpu' | 'dram') =>
    topology.zones.filter((z) => z.component === c).map((z) => `${z.id} ${z.name}`);
  const meter = defineMeter({
    name: 'rapl',
    kind: 'measured',
    components,
    describe: () => {
      const parts = [`cpu = ${zoneNames('cpu').join(' + ')}`];
      if (components.includes('dram')) parts.push(`dram = ${zoneNames('dram').join(' + ')}`);
      return `rapl (Linux powercap: ${parts.join('; ')}) — measured`;
    },
    zeroReason: 'the RAPL counter did not advance (window shorter than its ~1 ms update?)',
    // Nothing to set up: reading the counters is the window's first step.
    prepare: () => ready(open),
  });
  return { ...meter, topology };
}

export function probe(ctx: MeterContext): Promise<MeterProbe> {
  return probeRapl({ env: ctx.env, ...(ctx.tuning.rapl as RaplOptions | undefined) });
}
