// `joulebench meters`: every energy meter, whether it can run here and why not, the devices it
// sees, and what `--meter auto` would pick. The first thing to run on a new machine.
import { describeMeters, selectMeter, type MeterListing, type MeterOptions } from '../../meters/index.js';

export function renderMeters(listings: readonly MeterListing[], auto: { name: string; notes: string[] }): string {
  const width = Math.max(...listings.map((l) => l.name.length));
  const lines: string[] = [];
  for (const l of listings) {
    const status = l.available ? 'available' : `unavailable: ${l.reason ?? 'no reason given'}`;
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
