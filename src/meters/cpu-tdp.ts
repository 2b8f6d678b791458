// Thermal design power of common CPUs, from the vendors' public specification pages
// (ark.intel.com, amd.com product pages), with the hardware-thread count the TDP is shared by.
// The estimate meter charges each second of process CPU time at TDP / threads watts: the
// power of one fully busy hardware thread if the whole package ran at its TDP.
// Add a CPU: one line, matched against the model name the OS reports (os.cpus()[0].model).
import { median } from '../util/stats.js';

interface CpuTdp {
  /** Matches the OS model string, e.g. /EPYC 7763\b/. */
  match: RegExp;
  name: string;
  tdpW: number;
  threads: number;
}

export const cpuTdpTable: readonly CpuTdp[] = [
  { match: /EPYC 7742\b/, name: 'AMD EPYC 7742', tdpW: 225, threads: 128 },
  { match: /EPYC 7543\b/, name: 'AMD EPYC 7543', tdpW: 225, threads: 64 },
  { match: /EPYC 7763\b/, name: 'AMD EPYC 7763', tdpW: 280, threads: 128 },
  { match: /EPYC 9354\b/, name: 'AMD EPYC 9354', tdpW: 280, threads: 64 },
  { match: /EPYC 9554\b/, name: 'AMD EPYC 9554', tdpW: 360, threads: 128 },
  { match: /EPYC 9654\b/, name: 'AMD EPYC 9654', tdpW: 360, threads: 192 },
  { match: /Ryzen 7 5800X\b/, name: 'AMD Ryzen 7 5800X', tdpW: 105, threads: 16 },
  { match: /Ryzen 9 5950X\b/, name: 'AMD Ryzen 9 5950X', tdpW: 105, threads: 32 },
  { match: /Ryzen 9 7950X\b/, name: 'AMD Ryzen 9 7950X', tdpW: 170, threads: 32 },
  { match: /Xeon\(R\) Gold 6248 /, name: 'Intel Xeon Gold 6248', tdpW: 150, threads: 40 },
  { match: /Xeon\(R\) Gold 6338 /, name: 'Intel Xeon Gold 6338', tdpW: 205, threads: 64 },
  { match: /Xeon\(R\) Platinum 8380 /, name: 'Intel Xeon Platinum 8380', tdpW: 270, threads: 80 },
  { match: /Xeon\(R\) Platinum 8480\+/, name: 'Intel Xeon Platinum 8480+', tdpW: 350, threads: 112 },
  { match: /i5-12400\b/, name: 'Intel Core i5-12400', tdpW: 65, threads: 12 },
  { match: /i7-12700K\b/, name: 'Intel Core i7-12700K', tdpW: 125, threads: 20 },
  { match: /i9-13900K\b/, name: 'Intel Core i9-13900K', tdpW: 125, threads: 32 },
];

export interface PerThreadWatts {
  watts: number;
  /** Where the figure comes from, for records and tables. */
  source: string;
  /** True when the CPU is unknown and the table's median stands in. */
  fallback: boolean;
}

/** Median TDP per thread over the table: the stand-in for a CPU the table does not know. */
export function medianWattsPerThread(table: readonly CpuTdp[] = cpuTdpTable): number {
  return median(table.map((c) => c.tdpW / c.threads));
}

/** Watts charged per busy hardware thread: --cpu-watts, else the table, else the table's median. */
export function wattsPerThread(cpuModel: string, override: number | null = null): PerThreadWatts {
  if (override !== null) return { watts: override, source: '--cpu-watts', fallback: false };
  const known = cpuTdpTable.find((c) => c.match.test(cpuModel));
  if (known) {
    return {
      watts: known.tdpW / known.threads,
      source: `${known.name}: TDP ${known.tdpW} W / ${known.threads} threads`,
      fallback: false,
    };
  }
  return {
    watts: medianWattsPerThread(),
    source: `CPU '${cpuModel}' not in the TDP table: median TDP/thread of the table's ${cpuTdpTable.length} CPUs (pass --cpu-watts)`,
    fallback: true,
  };
}
