// Idle baseline: before the first model, the meter reads the machine doing nothing for a few
// seconds. Records keep the gross joules and add idle watts and net joules (gross minus idle
// power times the window), so a GPU idling at ~75 W is not charged to a CPU-only model.
import type { ComponentJoules, EnergyReading } from '../schema/energy.js';
import { UserError, errorMessage } from '../util/errors.js';
import type { Meter } from './base.js';

export interface IdleBaseline {
  meter: string;
  seconds: number;
  /** Idle power per component, watts. */
  watts: ComponentJoules;
  totalWatts: number;
  /** What the meter warned of in the baseline's window (gaps, zeros, a short window, a flagged cross-check). */
  warnings: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The baseline's window; a meter that fails in it (nvidia-smi exited, say) stops the run with one line. */
export async function measureIdle(meter: Meter, seconds: number): Promise<IdleBaseline> {
  let r: EnergyReading;
  try {
    const window = await meter.start();
    await sleep(seconds * 1000);
    r = await window.stop();
  } catch (err) {
    throw new UserError(
      `the idle baseline could not be measured: ${errorMessage(err)}. Run again, or skip the baseline with --idle-seconds 0`,
      1,
    );
  }
  const watts = Object.fromEntries(
    Object.entries(r.components).map(([c, j]) => [c, (j ?? 0) / r.durationS]),
  ) as ComponentJoules;
  return { meter: r.meter, seconds: r.durationS, watts, totalWatts: r.joules / r.durationS, warnings: r.warnings };
}

/** The baseline's warnings as logs and records give them, less those a window's own reading already gives. */
export function baselineWarnings(idle: IdleBaseline, alreadySaid: readonly string[] = []): string[] {
  return idle.warnings.filter((w) => !alreadySaid.includes(w)).map((w) => `idle baseline: ${w}`);
}

/**
 * The idle-subtracted view of a reading: what the model cost above an idle machine, with what
 * qualifies that figure (the baseline's own warnings; a net below zero).
 */
export function netOf(reading: EnergyReading, idle: IdleBaseline): { netJoules: number; warnings: string[] } {
  const netJoules = reading.joules - idle.totalWatts * reading.durationS;
  const warnings = baselineWarnings(idle, reading.warnings);
  if (netJoules < 0)
    warnings.push(
      `net energy is negative (${netJoules.toFixed(3)} J): the run's draw was within the idle baseline's noise`,
    );
  return { netJoules, warnings };
}
