// The exit codes of every joulebench command, in one place (the README's "Exit codes" lists them).
export const EXIT = {
  /** Everything asked for ran (skipped models, listed as such, included). */
  ok: 0,
  /** A model failed (its error record says why); the others' records are kept. */
  modelFailed: 1,
  /** A user mistake: a bad flag, file or name, a run in use; one line on stderr. */
  userError: 2,
  /** A bug in joulebench: the stack, "please report", and the resume command when a run exists. */
  internalError: 3,
  /** The disk is full or a write failed: every complete record is kept; free space, then resume. */
  writeFailed: 4,
  /** Ctrl-C (128 + SIGINT) and SIGTERM (128 + 15): finished records kept, resume printed. */
  sigint: 130,
  sigterm: 143,
} as const;
