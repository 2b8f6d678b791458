// Flag value parsers shared by every command: a bad value becomes commander's one-line
// "argument 'x' is invalid" error, never a stack trace.
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { runIdProblem } from '../run/units.js';
import { LIMITS } from '../schema/run-options.js';

/**
 * A whole number from min to max (the bounds a run can honour; 1e6 is fine, 1e20 and "" are not).
 * `why` says where max comes from, when that is not obvious.
 */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER, why = '') {
  return (value: string): number => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`expected an integer ${range}${why ? ` (${why})` : ''}, got '${value}'`);
    }
    return n;
  };
}

/**
 * --threads: at most 4 × the hardware threads (past that onnxruntime measures contention, not
 * the model); plan.ts warns above 1 ×, and applies the same bounds to a suite's threads.
 */
export function threadCount() {
  const hw = availableParallelism();
  const max = Math.min(hw * 4, LIMITS.maxThreads);
  return integer(1, max, `4 × this machine's ${hw} hardware threads`);
}

/** --run-id: what names files in <out>/runs/ (checked again in plan.ts for library callers). */
export function runId(value: string): string {
  const problem = runIdProblem(value);
  if (problem) throw new InvalidArgumentError(`${problem}, got '${value}'`);
  return value;
}

/** --resume: a run id, or 'latest'. */
export function runIdOrLatest(value: string): string {
  return value === 'latest' ? value : runId(value);
}

/** A folder flag: an empty value would silently mean the current folder. */
export function folder(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`expected a folder, got '${value}'`);
  return value;
}

/** A duration flag: seconds from 0 to a day (LIMITS.maxSeconds). */
export function seconds(value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > LIMITS.maxSeconds) {
    throw new InvalidArgumentError(`expected seconds from 0 to ${LIMITS.maxSeconds}, got '${value}'`);
  }
  return n;
}

/** A fraction strictly between 0 and 1 (--target-ci 0.02 = within 2 % of the mean). */
export function fraction(value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a fraction between 0 and 1 (0.02 = 2 %), got '${value}'`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

/** One of a fixed list of names. */
export function oneOf<T extends string>(names: readonly T[]) {
  return (value: string): T => {
    if (!(names as readonly string[]).includes(value))
      throw new InvalidArgumentError(`expected one of ${names.join(', ')}, got '${value}'`);
    return value as T;
  };
}

/** A comma list of values each `item` accepts (a sweep's axes): "1,4,16" -> [1, 4, 16], repeats dropped. */
export function list<T>(item: (value: string) => T) {
  return (value: string): T[] => {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.some((p) => p === ''))
      throw new InvalidArgumentError(`expected a comma list like 1,4,16, got '${value}'`);
    return [...new Set(parts.map(item))];
  };
}

/** For repeatable flags (--model, --in, --import). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
