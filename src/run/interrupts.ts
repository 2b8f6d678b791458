// Ctrl-C and SIGTERM while a process holds a run's lock: from the moment the lock is taken until
// the run ends, one handler closes what is open, lets the lock go, says where the run stands in
// one message and exits 130 (SIGINT) or 143 (SIGTERM). What it says follows the run: before it
// started, nothing is recorded; once it runs, finished records are kept, whether an energy window
// was open (and dropped) or not, and how to resume. (process.exit skips the callers' finally
// blocks, so the handler must do their work.)
import type { EnergyWindow, Meter } from '../meters/base.js';
import { EXIT } from '../util/exit-codes.js';
import type { Log } from './plan.js';

type Say = (signal: NodeJS.Signals) => string;

export interface RunInterrupts {
  /** What an interrupt says from now on, and what it closes first (before the lock is let go). */
  say(message: Say, close?: () => void): void;
  /** The run is over: signals get their default behaviour back. */
  remove(): void;
}

/** Installs the handler; `letGo` releases the lock (and anything else the run holds). */
export function interruptRun(letGo: () => void, log: Log, message: Say): RunInterrupts {
  let say = message;
  let close = () => {};
  const handler = (signal: NodeJS.Signals) => {
    try {
      close();
      letGo();
      log(say(signal));
    } finally {
      process.exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    }
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return {
    say(next, closeNext = () => {}) {
      say = next;
      close = closeNext;
    },
    remove() {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}

/**
 * The meter, counting its open windows (from start(), or a prepared window's open(), until stop()
 * is called): an interrupt says whether it dropped one. Delegates, so a caller's own meter works too.
 */
export function watchWindows(meter: Meter): { meter: Meter; windowOpen: () => boolean } {
  let open = 0;
  const counted = (window: EnergyWindow): EnergyWindow => {
    open++;
    let stopped = false;
    return {
      stop() {
        if (!stopped) open--;
        stopped = true;
        return window.stop();
      },
    };
  };
  const watched: Meter = {
    name: meter.name,
    kind: meter.kind,
    components: meter.components,
    resolutionS: meter.resolutionS,
    describe: () => meter.describe(),
    close: () => meter.close(),
    start: async () => counted(await meter.start()),
    async prepare() {
      const prepared = await meter.prepare();
      return { open: () => counted(prepared.open()), cancel: () => prepared.cancel() };
    },
  };
  return { meter: watched, windowOpen: () => open > 0 };
}
