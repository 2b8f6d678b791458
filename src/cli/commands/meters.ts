// `joulebench meters`: every energy meter, whether it can run here and why not, the devices it
// sees, and what `--meter auto` would pick. The first thing to run on a new machine.
import { describeMeters, selectMeter, type MeterListing, type MeterOptions } from '../../meters/index.js';
import { DEFAULT_RUN_OPTIONS, minWindowSecondsFor } from '../../schema/run-options.js';

/** "resolution 100 ms, windows of at least 20 s by default" for an available meter. */
function resolutionText(resolutionS: number | null | undefined): string {
  if (resolutionS === undefined) return '';
  const window = minWindowSecondsFor(DEFAULT_RUN_OPTIONS, resolutionS);
  const res = resolutionS === null ? 'resolution not stated' : `resolution ${+(resolutionS * 1000).toPrecision(2)} ms`;
  return ` (${res}; windows of at least ${+window.toFixed(2)} s by default)`;
}

export function renderMeters(listings: readonly MeterListing[], auto: { name: string; notes: string[] }): string {
  const width = Math.max(...listings.map((l) => l.name.length));
  const lines: string[] = [];
  for (const l of listings) {
    const status = l.available
      ? `available${resolutionText(l.resolutionS)}`
      : `unavailable: ${l.reason ?? 'no reason given'}`;
    lines.push(`${l.name.padEnd(width)}  ${l.kind.padEnd(9)}  ${status}`);
    for (const d of l.devices) lines.push(`${' '.repeat(width + 2)}- ${d}`);
  }
  lines.push('', `--meter auto uses: ${auto.name}`);
  for (const n of auto.notes) lines.push(`  ${n}`);
  return `${lines.join('\n')}\n`;
}

export async function runMeters(
  options: MeterOptions & { json?: boolean },
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<void> {
  const listings = await describeMeters(options);
  const auto = await selectMeter('auto', options);
  if (options.json) out(`${JSON.stringify({ meters: listings, auto: auto.meter.name, notes: auto.notes }, null, 2)}\n`);
  else out(renderMeters(listings, { name: auto.meter.describe(), notes: auto.notes }));
}

export async function meters(opts: { json: boolean }): Promise<number> {
  await runMeters({ json: opts.json });
  return 0;
}
