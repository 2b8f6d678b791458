// Progress on stderr between energy windows. Nothing here runs inside a window: there is no
// timer and no redraw loop (spinner and bar libraries redraw on a timer, which would put
// terminal writes inside the measurement). On a terminal the status line is rewritten in
// place (log-update); elsewhere (CI, pipes) each step is one plain line.
import { createLogUpdate } from 'log-update';

export interface Progress {
  /** What happens next, e.g. "loading model". Shown before the step starts. */
  step(text: string): void;
  /** A finished window; advances the bar. */
  done(text: string): void;
  /** A line that stays (warnings, skips). */
  note(text: string): void;
  /** More windows than planned will run (--target-ci's extra repetitions). */
  grow(windows: number): void;
  finish(): void;
}

const BAR_WIDTH = 24;

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${done}/${total}`;
}

export function createProgress(totalWindows: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let finished = 0;
  if (!stream.isTTY) {
    return {
      step: (text) => stream.write(`[${finished}/${totalWindows}] ${text}\n`),
      done: (text) => stream.write(`[${++finished}/${totalWindows}] ${text}\n`),
      note: (text) => stream.write(`${text}\n`),
      grow: (windows) => {
        totalWindows += windows;
      },
      finish: () => {},
    };
  }
  const live = createLogUpdate(stream, { showCursor: true });
  let last = '';
  return {
    step(text) {
      live(`${bar(finished, totalWindows)}  ${text}`);
    },
    done(text) {
      finished++;
      live.clear();
      stream.write(`  ${text}\n`);
      last = `${bar(finished, totalWindows)}`;
      live(last);
    },
    note(text) {
      live.clear();
      stream.write(`${text}\n`);
      if (last) live(last);
    },
    grow(windows) {
      totalWindows += windows;
    },
    finish() {
      live.clear();
      live.done();
    },
  };
}
