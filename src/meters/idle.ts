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
  return { meter: r.meter, seconds: r.durationS, watts, totalWatts: r.joules / r.durationS };
}

/** The idle-subtracted view of a reading: what the model cost above an idle machine. */
export function netOf(reading: EnergyReading, idle: IdleBaseline): { netJoules: number; warning?: string } {
  const netJoules = reading.joules - idle.totalWatts * reading.durationS;
  return netJoules < 0
    ? {
        netJoules,
        warning: `net energy is negative (${netJoules.toFixed(3)} J): the run's draw was within the idle baseline's noise`,
      }
    : { netJoules };
}
