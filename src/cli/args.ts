// Flag value parsers shared by every command: a bad value becomes commander's one-line
// "argument 'x' is invalid" error, never a stack trace.
import { InvalidArgumentError } from 'commander';

export function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got '${value}'`);
    return n;
  };
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got '${value}'`);
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

/** For repeatable flags (--model, --in, --import). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
