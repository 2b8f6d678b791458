// A process that tries to take a run lock, paused once at a chosen file call on the lock, so a
// test can interleave two such processes exactly. Prints {"won": true|false, "pid", "message"}.
// Usage: node --import tsx lock-racer.ts <runsDir> <runId> <call> <signal-file> <wait-file> <done-file>
// where <call> is the fs function ('statSync', or 'openSync' for the lock being created) after
// which it touches <signal-file> and waits (at most 10 s) for <wait-file>; <done-file> on exit.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

type Args = [runsDir: string, runId: string, call: string, signal: string, wait: string, done: string];
const [runsDir, runId, call, signal, wait, done] = process.argv.slice(2) as Args;
const lock = `${runsDir}/${runId}.lock`;
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

let paused = false;
const fsCalls = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
const original = fsCalls[call]!;
fsCalls[call] = (...args: unknown[]) => {
  const result = original(...args);
  if (!paused && args[0] === lock) {
    paused = true;
    fs.writeFileSync(signal, '');
    for (const deadline = Date.now() + 10_000; !fs.existsSync(wait) && Date.now() < deadline; ) sleep(10);
  }
  return result;
};
syncBuiltinESMExports(); // named imports of node:fs see the wrapper too

const { acquireRunLock } = await import('../../src/records/run-lock.js');
let outcome: { won: boolean; message: string };
try {
  acquireRunLock(runsDir, runId, () => {});
  outcome = { won: true, message: '' }; // kept, not released: the test reads who holds the file
} catch (err) {
  outcome = { won: false, message: (err as Error).message };
}
process.stdout.write(`${JSON.stringify({ ...outcome, pid: process.pid })}\n`);
fs.writeFileSync(done, '');
