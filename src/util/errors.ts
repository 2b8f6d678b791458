// Errors the CLI reports on one line (UserError), and the helpers that turn anything thrown
// into a short, readable reason.
import { distance } from 'fastest-levenshtein';
import { EXIT } from './exit-codes.js';

/**
 * A mistake the user can fix (bad flag, unknown model, missing file). The CLI prints its
 * message on one line, without a stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.userError,
  ) {
    super(message);
  }
}

/** errno codes that mean "no room": the disk (or the user's quota, or the file size limit) is full. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Whether a write failed by the disk's state (full, or an I/O error), not by the user's choice of place: exit 4. */
export function diskFailure(err: unknown): boolean {
  const code = errorCode(err);
  return FULL.has(code) || code === 'EIO';
}

/**
 * A write that did not complete (full disk, I/O error, read-only filesystem). What was already
 * complete on disk is kept; the layer that knows the run turns it into one line and exit 4.
 */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  /** True when the cause is lack of space: freeing some is the fix. */
  readonly diskFull: boolean;
  constructor(
    readonly path: string,
    /** errno code; a short write (the disk filled mid-line) counts as ENOSPC. */
    readonly code: string,
    detail?: string,
  ) {
    super(
      `${FULL.has(code) ? 'disk full' : `could not write (${code})`} writing ${path}${detail ? ` (${detail})` : ''}`,
    );
    this.diskFull = FULL.has(code);
  }
}

/** A failed write call as a WriteError naming the file. */
export function writeErrorOf(path: string, err: unknown): WriteError {
  return err instanceof WriteError ? err : new WriteError(path, errorCode(err));
}

/**
 * A bug met while a run was under way: the original error (its stack is printed) and the
 * command that resumes the run, since its finished records are on disk.
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
  constructor(
    override readonly cause: unknown,
    readonly resumeCommand: string,
  ) {
    super(errorMessage(cause));
  }
}

/** What the CLI prints for a bug: the stack, then "please report", then how to resume if a run exists. */
export function internalErrorText(err: unknown): string {
  const cause = err instanceof InternalError ? err.cause : err;
  const trace = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
  const resume = err instanceof InternalError ? ` Finished records are kept; resume with: ${err.resumeCommand}` : '';
  return (
    `joulebench: internal error: ${trace}\n` +
    `joulebench: this is a bug in joulebench, please report it with the lines above.${resume}\n`
  );
}

/** The message of anything thrown, for one-line reports. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The errno code of a failed system call ("ENOENT", "EACCES"), else the message. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(err);
}

/** "Did you mean" hint: the known names closest to `name` (Levenshtein distance <= 3). */
export function closest(name: string, known: readonly string[]): string[] {
  const scored = known
    .map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) }))
    .filter(({ k, d }) => d <= 3 || k.toLowerCase().includes(name.toLowerCase()))
    .sort((a, b) => a.d - b.d);
  return scored.slice(0, 3).map(({ k }) => k);
}

/** "Unknown task 'x'. Did you mean: y? Valid tasks: a, b, c" */
export function unknownName(what: string, name: string, known: readonly string[]): UserError {
  const near = closest(name, known);
  const hint = near.length > 0 ? ` Did you mean: ${near.join(', ')}?` : '';
  return new UserError(`Unknown ${what} '${name}'.${hint} Valid ${what}s: ${known.join(', ')}`);
}

/** The innermost error code of a failed network call ("ENOTFOUND", "ECONNREFUSED"), else its message. */
export function networkCause(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return errorMessage(err);
}
