// Test-only: JOULEBENCH_TEST_PAUSE=<point> makes a run wait at that point, saying so on stderr
// ("joulebench-test: paused at <point>"), so a test can send it a signal exactly there (the
// moments between two steps are too short to hit otherwise). Unset, as outside the tests, it
// costs one look at the environment. Not a user setting: the README does not list it.
type PausePoint =
  /** The run's lock is taken, its plan not yet written. */
  | 'run-locked'
  /** A repetition's energy window has closed; its record is not yet scored or written. */
  | 'window-closed';

export async function pauseForTest(point: PausePoint): Promise<void> {
  if (process.env.JOULEBENCH_TEST_PAUSE !== point) return;
  process.stderr.write(`joulebench-test: paused at ${point}\n`);
  await new Promise((resolve) => setTimeout(resolve, 60_000)); // the event loop runs: signals are handled
}
