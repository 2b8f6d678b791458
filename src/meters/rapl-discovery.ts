// Which RAPL zones to count, found as the kernel lays them out (drivers/powercap): zone ids are
// `<parent>:<hex id>` (`intel-rapl:a` is the 11th); package zones are `package-P`, or
// `package-P-die-D` on multi-die Intel packages (and on AMD with kernels 6.10 / 6.11.0, where
// every CCD shows a zone that reads the same package counter: such mirrors are found by reading
// them and counted once); control types `intel-rapl` (MSR, and TPMI in mainline),
// `intel-rapl-tpmi`, and `intel-rapl-mmio` (a second interface to a package counter).
// Each counted counter must pass a start-up check: it advances within a probe interval, at a
// plausible power (below twice the zone's power limit, or 2,000 W where it has none).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../util/errors.js';
import type { Env } from './base.js';

export const DEFAULT_POWERCAP_ROOT = '/sys/class/powercap';
/** Power assumed where a zone states no limit: sampling is sized so that even this cannot wrap unseen (as Zeus). */
export const DEFAULT_POWER_BOUND_W = 1000;
/** How long the start-up check watches the counters. */
const DEFAULT_PROBE_MS = 50;
/** Intervals the start-up check waits at most for a counter that has not moved yet. */
const PROBE_PATIENCE = 10;

/** Control types, in the order their zones are preferred when two interfaces show one package. */
const CONTROL_TYPES = ['intel-rapl', 'intel-rapl-tpmi', 'intel-rapl-mmio'] as const;
/** Zone directories (`intel-rapl:0`, `intel-rapl:a:1`, `intel-rapl-tpmi:0`) and control types. */
const ENTRY = /^intel-rapl(-mmio|-tpmi)?(:[0-9a-f]+)*$/;
/** Two readings of mirrored zones differ by at most this (one counter update at high power), µJ. */
const MIRROR_TOLERANCE_UJ = 2_000_000;

export interface RaplOptions {
  /** powercap root; default env JOULEBENCH_POWERCAP_ROOT, else /sys/class/powercap. */
  root?: string | undefined;
  env?: Env;
  /** Sampling period override (ms); default: from each zone's range and power bound, at most 100 ms. */
  sampleIntervalMs?: number;
  /** The start-up check's interval, ms (default 50; up to 10 of them for a counter that has not moved). */
  probeMs?: number;
  /** Synchronous file reader for discovery; injectable so tests can stage EACCES. */
  readFile?: (path: string) => string;
}

export interface RaplZone {
  /** Zone id, e.g. `intel-rapl:0:2`. */
  id: string;
  /** Directory the counters are read from. */
  dir: string;
  /** The zone's `name` file: `package-0`, `package-1-die-0`, `dram`, `psys`, ... */
  name: string;
  /** psys covers the whole platform: read for the cross-check, never added to cpu or dram. */
  component: 'cpu' | 'dram' | 'psys';
  maxRangeUj: number;
  /** The highest power limit the zone states (constraint_N_*), watts; null where it states none (AMD, DRAM). */
  powerLimitW: number | null;
  /** Power read by the start-up check, watts. */
  startupW: number;
}

export interface RaplTopology {
  root: string;
  /** Counted zones (cpu, dram) and psys. */
  zones: RaplZone[];
  /** Zones seen and deliberately not counted, with the reason. */
  excluded: { zone: string; name: string; why: string }[];
  /** Zones that read the same counter as a counted zone (AMD per-CCD zones on kernels 6.10 / 6.11.0). */
  mirrored: { zone: string; name: string; of: string }[];
  /** DRAM or psys zones that could not be read or failed the start-up check (the packages passed). */
  unreadable: { zone: string; name: string; error: string }[];
}

type RaplDiscovery =
  | { ok: true; topology: RaplTopology; devices: string[] }
  | { ok: false; reason: string; devices: string[] };

const defaultRead = (path: string): string => readFileSync(path, 'utf8');

function powercapRoot(options: RaplOptions): string {
  return options.root ?? (options.env ?? process.env).JOULEBENCH_POWERCAP_ROOT ?? DEFAULT_POWERCAP_ROOT;
}

/** Orders zone ids as the kernel numbers them: control type, then each hexadecimal id. */
function zoneOrder(a: string, b: string): number {
  const [ca, ...ia] = a.split(':');
  const [cb, ...ib] = b.split(':');
  const byType = CONTROL_TYPES.indexOf(ca as never) - CONTROL_TYPES.indexOf(cb as never);
  if (byType !== 0) return byType;
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    if (ia[i] === undefined) return -1;
    if (ib[i] === undefined) return 1;
    const d = Number.parseInt(ia[i]!, 16) - Number.parseInt(ib[i]!, 16);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Every RAPL zone once, by id: class/powercap lists each zone flat, the devices tree nests them
 * (a root at either works); `subsystem` and `device` links point back up and are not followed.
 */
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
    for (const entry of entries) {
      if (!ENTRY.test(entry)) continue;
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
  return new Map([...found].sort(([a], [b]) => zoneOrder(a, b)));
}

const PACKAGE = /^package-(\d+)(?:-die-(\d+))?$/;

type Kind = { component: RaplZone['component']; packageId: number | null } | { why: string };

function classify(id: string, name: string): Kind {
  const pkg = PACKAGE.exec(name);
  if (pkg) return { component: 'cpu', packageId: pkg[2] === undefined ? null : Number(pkg[1]) };
  if (name === 'dram') return { component: 'dram', packageId: null };
  if (/^psys(-\d+)?$/.test(name)) return { component: 'psys', packageId: null };
  if (name === 'core' || name === 'uncore') return { why: `inside ${parentOf(id)}'s package counter` };
  return { why: `unknown RAPL domain '${name}'` };
}

const PSYS_WHY =
  'platform counter (psys) spans package, DRAM and more: counting it too would double-count; read for a cross-check only';

const parentOf = (id: string) => id.replace(/:[0-9a-f]+$/, '');
const controlOf = (id: string) => id.split(':')[0]!;
const isTopLevel = (id: string) => id.split(':').length === 2;

function readNumber(read: (p: string) => string, path: string): number {
  const text = read(path).trim();
  if (!/^\d+$/.test(text)) throw new Error(`not a counter: '${text.slice(0, 40)}'`);
  return Number(text);
}

/** The highest power the zone's constraints state (limits and their maxima), watts; null if none. */
function powerLimitW(read: (p: string) => string, dir: string): number | null {
  let best: number | null = null;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /^constraint_\d+_(power_limit|max_power)_uw$/.test(f));
  } catch {
    return null;
  }
  for (const f of files) {
    try {
      const uw = readNumber(read, join(dir, f));
      if (uw > 0) best = Math.max(best ?? 0, uw / 1e6);
    } catch {
      // an unreadable limit is no limit
    }
  }
  return best;
}

function permissionRemedy(root: string, path: string): string {
  return (
    `permission denied reading ${path}: energy counters are root-only on kernels patched for CVE-2020-8694 (since November 2020). ` +
    `Run as root, or grant read access: \`sudo chmod o+r ${root}/intel-rapl:*/energy_uj\` (until reboot; a tmpfiles.d or udev rule makes it stick, see README "Meters")`
  );
}

/** The counter's advance from a to b (µJ), with at most one wrap. */
const advance = (a: number, b: number, rangeUj: number) => (b >= a ? b - a : b + rangeUj + 1 - a);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const limitText = (z: Pick<RaplZone, 'powerLimitW'>) =>
  z.powerLimitW === null
    ? `no power limit in sysfs: bound ${DEFAULT_POWER_BOUND_W} W`
    : `power limit ${z.powerLimitW.toFixed(0)} W`;

interface Candidate extends Omit<RaplZone, 'startupW'> {
  packageId: number | null;
  v0: number;
  v1: number;
}

/** Finds the zones, classifies them, and checks that each counted counter advances at a plausible power. */
export async function discoverRapl(options: RaplOptions = {}): Promise<RaplDiscovery> {
  const root = powercapRoot(options);
  const read = options.readFile ?? defaultRead;
  try {
    readdirSync(root);
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
  const topology: RaplTopology = { root, zones: [], excluded: [], mirrored: [], unreadable: [] };
  const lines = new Map<string, string>();
  const exclude = (zone: string, name: string, why: string) => {
    topology.excluded.push({ zone, name, why });
    lines.set(zone, `${zone} ${name} (excluded: ${why})`);
  };
  const names = new Map<string, string>();
  const failures: { zone: string; name: string; component: RaplZone['component']; path: string; err: unknown }[] = [];
  const candidates: Candidate[] = [];
  const dropped = new Set<string>(); // zones whose children are not counted either
  for (const [id, dir] of dirs) {
    let name: string;
    try {
      name = read(join(dir, 'name')).trim();
    } catch (err) {
      exclude(id, '?', `name unreadable (${errorCode(err)})`);
      continue;
    }
    names.set(id, name);
    if (dropped.has(parentOf(id))) {
      dropped.add(id);
      exclude(id, name, `inside ${parentOf(id)}, which is not counted`);
      continue;
    }
    const kind = classify(id, name);
    if ('why' in kind) {
      exclude(id, name, kind.why);
      continue;
    }
    // A package shown by two interfaces (MSR and MMIO, say) is one counter: the preferred one counts.
    const twin =
      isTopLevel(id) &&
      [...names].find(([other, n]) => n === name && controlOf(other) !== controlOf(id) && isTopLevel(other));
    if (twin) {
      dropped.add(id);
      exclude(id, name, `${controlOf(id)} interface to the counter already read as ${twin[0]}`);
      continue;
    }
    const energyPath = join(dir, 'energy_uj');
    try {
      const maxRangeUj = readNumber(read, join(dir, 'max_energy_range_uj'));
      const v0 = readNumber(read, energyPath);
      candidates.push({ id, dir, name, ...kind, maxRangeUj, powerLimitW: powerLimitW(read, dir), v0, v1: v0 });
    } catch (err) {
      failures.push({ zone: id, name, component: kind.component, path: energyPath, err });
      lines.set(id, `${id} ${name} (unreadable: ${errorCode(err)})`);
    }
  }
  const devicesNow = () => [...dirs.keys()].flatMap((id) => lines.get(id) ?? []);
  const denied = failures.find((f) => ['EACCES', 'EPERM'].includes(errorCode(f.err)));
  const packageFailure = failures.find((f) => f.component === 'cpu');
  if (packageFailure) {
    const reason = denied
      ? permissionRemedy(root, denied.path)
      : `cannot read ${packageFailure.path} (${errorCode(packageFailure.err)})`;
    return { ok: false, reason, devices: devicesNow() };
  }
  for (const f of failures) topology.unreadable.push({ zone: f.zone, name: f.name, error: errorCode(f.err) });

  // The start-up check: read every counter, wait, read again; a counter still unmoved gets more
  // intervals (up to PROBE_PATIENCE), so a busy machine that delays this check does not fail a
  // zone. Every counter is read again at each try: mirrors are told apart by reads made together.
  const probeMs = options.probeMs ?? DEFAULT_PROBE_MS;
  const t0 = performance.now();
  for (const c of candidates) c.v0 = readNumber(read, join(c.dir, 'energy_uj'));
  let dt = 0;
  for (let tries = 1; tries <= PROBE_PATIENCE; tries++) {
    await sleep(probeMs);
    dt = (performance.now() - t0) / 1000;
    for (const c of candidates) c.v1 = readNumber(read, join(c.dir, 'energy_uj'));
    if (candidates.every((c) => c.v1 !== c.v0)) break;
  }

  const counted: RaplZone[] = [];
  for (const c of candidates) {
    const mirror =
      c.packageId !== null &&
      counted.find(
        (z) =>
          z.component === 'cpu' &&
          PACKAGE.exec(z.name)?.[1] === String(c.packageId) &&
          Math.abs(candidates.find((o) => o.id === z.id)!.v0 - c.v0) <= MIRROR_TOLERANCE_UJ &&
          Math.abs(candidates.find((o) => o.id === z.id)!.v1 - c.v1) <= MIRROR_TOLERANCE_UJ,
      );
    if (mirror) {
      topology.mirrored.push({ zone: c.id, name: c.name, of: mirror.id });
      dropped.add(c.id);
      exclude(
        c.id,
        c.name,
        `reads the same counter as ${mirror.id} (package ${c.packageId}): per-CCD zones of one AMD package on kernels 6.10–6.11.0 (fixed in 6.12 and 6.11.1); counted once`,
      );
      continue;
    }
    const watts = advance(c.v0, c.v1, c.maxRangeUj) / 1e6 / dt;
    const bound = 2 * (c.powerLimitW ?? DEFAULT_POWER_BOUND_W);
    const failed =
      watts <= 0
        ? `counter did not advance in ${(probeMs * PROBE_PATIENCE) / 1000} s (start-up check)`
        : watts >= bound
          ? `${watts.toFixed(1)} W at start-up is not plausible (${limitText(c)}; expected below ${bound.toFixed(0)} W)`
          : undefined;
    if (failed) {
      if (c.component === 'cpu')
        return {
          ok: false,
          reason: `${c.id} ${c.name}: ${failed}`,
          devices: [...devicesNow(), `${c.id} ${c.name} (${failed})`],
        };
      topology.unreadable.push({ zone: c.id, name: c.name, error: failed });
      lines.set(c.id, `${c.id} ${c.name} (${failed})`);
      continue;
    }
    const { packageId: _, v0: _v0, v1: _v1, ...zone } = c;
    counted.push({ ...zone, startupW: watts });
    const startup = `${watts.toFixed(1)} W at start-up (${limitText(c)})`;
    if (c.component === 'psys') {
      topology.excluded.push({ zone: c.id, name: c.name, why: PSYS_WHY });
      lines.set(c.id, `${c.id} ${c.name} (excluded: ${PSYS_WHY}), ${startup}`);
    } else lines.set(c.id, `${c.id} ${c.name} -> ${c.component}, ${startup}`);
  }
  topology.zones = counted;
  const devices = devicesNow();
  if (!counted.some((z) => z.component === 'cpu')) {
    return { ok: false, reason: `no RAPL package zone under ${root} (only: ${devices.join('; ')})`, devices };
  }
  return { ok: true, topology, devices };
}
