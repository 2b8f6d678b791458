// The main thread's side of the sampler thread (sampler-worker.ts): one worker per process,
// started on first use, hosting every meter's sources. A window costs the main thread two
// messages: `open` (posted, not awaited, so a composite meter opens its parts back to back) and
// `take` at its end, which brings back every reading made in between.
//
// The worker runs the compiled sampler-worker.js beside this file; from the TypeScript sources
// (tsx, vitest) it registers tsx's loader first, so both run the same code.
import { Worker } from 'node:worker_threads';
import { atExit } from './base.js';
import type { DiedNotice, Reply, Request, SourceInfo, SourceSpec, Taken } from './sampler-protocol.js';

type Pending = { resolve(value: unknown): void; reject(err: Error): void };
/** A request that is answered, before the host numbers it. */
type Question =
  Extract<Request, { req: number }> extends infer R ? (R extends unknown ? Omit<R, 'req'> : never) : never;

function startWorker(): Worker {
  // The worker inherits node's flags, but not those that only make sense for the main script.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./sampler-worker.js', import.meta.url), { execArgv });
  const entry = new URL('./sampler-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, execArgv });
}

class Host {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  /** What to do when a source dies, by source id. */
  readonly deaths = new Map<number, () => void>();

  #get(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startWorker();
    // The worker must not keep the process alive, except while the main thread awaits an answer.
    worker.unref();
    worker.on('message', (r: Reply | DiedNotice) => {
      if ('died' in r) return this.deaths.get(r.died)?.();
      const p = this.#pending.get(r.req);
      this.#pending.delete(r.req);
      if (this.#pending.size === 0) worker.unref();
      if (r.ok) p?.resolve(r.value);
      else p?.reject(new Error(r.error));
    });
    const lost = (why: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const died of this.deaths.values()) died(); // its sources are gone with it
      for (const p of this.#pending.values()) p.reject(new Error(`the sampler thread stopped: ${why}`));
      this.#pending.clear();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.#worker = worker;
    return worker;
  }

  post(m: Request): void {
    this.#get().postMessage(m);
  }

  ask<T>(m: Question): Promise<T> {
    const worker = this.#get();
    const req = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ ...m, req });
    });
  }
}

const host = new Host();
let sources = 0;
let windows = 0;

/** An open window of a source: `take(t1)` ends it and brings back its readings. */
interface SampledWindow {
  take(t1: number): Promise<Taken>;
}

/** One source of readings in the sampler thread (a RAPL zone set, some GPUs, one nvidia-smi). */
class SampledSource {
  readonly #id: number;
  readonly info: SourceInfo;
  readonly #forget: () => void;
  #removed = false;
  /** The source stopped producing readings (nvidia-smi exited, the sampler thread was lost). */
  dead = false;

  private constructor(id: number, info: SourceInfo) {
    this.#id = id;
    this.info = info;
    host.deaths.set(id, () => {
      this.dead = true;
    });
    // nvidia-smi runs in the sampler thread; should the process exit first, it must not outlive it.
    const pid = info.pid;
    this.#forget = pid === undefined ? () => {} : atExit(() => process.kill(pid, 'SIGTERM'));
  }

  /** Starts sampling `spec`; resolves once it reads (nvidia-smi: once it printed every GPU). */
  static async add(spec: SourceSpec): Promise<SampledSource> {
    const id = ++sources;
    const info = await host.ask<SourceInfo>({ op: 'add', source: id, spec });
    return new SampledSource(id, info);
  }

  /** Opens a window from `t0` (monotonicS()): readings begun after it are kept for the window. */
  open(t0: number): SampledWindow {
    const window = ++windows;
    host.post({ op: 'open', source: this.#id, window, t0 });
    return { take: (t1) => host.ask<Taken>({ op: 'take', source: this.#id, window, t1 }) };
  }

  async remove(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    this.#forget();
    host.deaths.delete(this.#id);
    await host.ask({ op: 'remove', source: this.#id }).catch(() => {});
  }
}

/**
 * A meter's source, added on first use and added again when it died (nvidia-smi exited, the
 * sampler thread was lost) or could not be added; `retire()` removes it.
 */
export class SourceSlot {
  #source: Promise<SampledSource> | undefined;

  constructor(readonly spec: () => SourceSpec) {}

  get(): Promise<SampledSource> {
    // Set before any await: calls made meanwhile chain on this one instead of adding a source each.
    const previous = this.#source;
    const add = () => SampledSource.add(this.spec());
    const next = previous
      ? previous.then(
          (s) => (s.dead ? s.remove().then(add) : s),
          () => add(), // the last attempt failed: try again
        )
      : add();
    this.#source = next;
    return next;
  }

  async retire(): Promise<void> {
    const s = this.#source;
    this.#source = undefined;
    await (await s?.catch(() => undefined))?.remove();
  }
}
