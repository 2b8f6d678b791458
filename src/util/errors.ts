// Errors the CLI reports on one line (UserError), and the helpers that turn anything thrown
// into a short, readable reason.
import { distance } from 'fastest-levenshtein';

/**
 * A mistake the user can fix (bad flag, unknown model, missing file). The CLI prints its
 * message on one line, without a stack trace, and exits with `exitCode`.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
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
function closest(name: string, known: readonly string[]): string[] {
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
