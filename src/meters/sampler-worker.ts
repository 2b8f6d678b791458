// The sampler thread (started by sampler.ts). onnxruntime-node runs session.run synchronously on
// the main thread, so a sampler on the main thread's timers stops whenever a model runs; this
// thread reads on its own timer and its own event loop instead: RAPL counter files, NVML power,
// and the output of one long-lived nvidia-smi, each line timed by nvidia-smi's own timestamp.
// A window is opened and closed on the main thread, which reads the counters' end values
// itself; this thread's readings in between (begun after the start, done before the end) come
// back to it at the window's end.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parentPort } from 'node:worker_threads';
import { counterValue, monotonicS } from './base.js';
import { NvmlApi } from './nvml-api.js';
import type {
  Death,
  DiedNotice,
  NvmlSourceSpec,
  RaplSourceSpec,
  Reply,
  Request,
  Row,
  SmiSourceSpec,
  SourceInfo,
  SourceSpec,
  Taken,
} from './sampler-protocol.js';

/** How a kind of source reads. */
interface Reader {
  /** Periodic readings while a window is open (sources that push their own rows have none). */
  tick?: { intervalMs: number; read(): Row };
  info: SourceInfo;
  died?: Death;
  clockMismatches?: number;
  stop(): void;
}

/** Rows of one source, kept from the earliest open window's start, and its open windows. */
class Sampling {
  readonly rows: Row[] = [];
  reader!: Reader;
  /** Open windows: their start, and the failed readings counted before it. */
  readonly #windows = new Map<number, { t0: number; failed: number }>();
  #timer: NodeJS.Timeout | undefined;
  #failed = 0;
  #lastUnreadable: string | undefined;

  constructor(readonly channels: number) {}

  push(row: Row): void {
    this.rows.push(row);
    if (this.#windows.size === 0 && this.rows.length > 4 * this.channels + 8) this.#prune();
  }

  /** A reading that could not be used (an nvidia-smi line that is no sample): counted, the last one kept. */
  unreadable(text: string): void {
    this.#failed++;
    this.#lastUnreadable = text;
  }

  open(id: number, t0: number): void {
    this.#windows.set(id, { t0, failed: this.#failed });
    const tick = this.reader.tick;
    if (tick && !this.#timer)
      this.#timer = setInterval(() => {
        const row = tick.read();
        this.#failed += row.v.filter((x) => x === null).length; // a tick reads every channel
        this.push(row);
      }, tick.intervalMs);
  }

  take(id: number, t1: number): Taken {
    const w = this.#windows.get(id);
    if (!w) throw new Error(`sampler: no open window ${id}`);
    this.#windows.delete(id);
    const failedReads = this.#failed - w.failed;
    const taken: Taken = {
      rows: this.rows.filter((r) => r.t > w.t0 && r.te < t1),
      before: this.#lastPerChannel(w.t0),
      failedReads,
      ...(failedReads > 0 && this.#lastUnreadable ? { lastUnreadable: this.#lastUnreadable } : {}),
      ...(this.reader.died ? { died: this.reader.died } : {}),
      ...(this.reader.clockMismatches ? { clockMismatches: this.reader.clockMismatches } : {}),
    };
    if (this.#windows.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    this.#prune();
    return taken;
  }

  /** Each channel's last row begun at or before `t`. */
  #lastPerChannel(t: number): Row[] {
    const found = new Set<Row>();
    for (let c = 0; c < this.channels; c++) {
      const row = this.rows.findLast((r) => r.t <= t && r.v[c] !== null);
      if (row) found.add(row);
    }
    return [...found].sort((a, b) => a.t - b.t);
  }

  /** Drops rows no open window needs (each channel's last one before them stays). */
  #prune(): void {
    const from = Math.min(...[...this.#windows.values()].map((w) => w.t0), monotonicS());
    const keep = new Set([...this.#lastPerChannel(from), ...this.rows.filter((r) => r.t > from)]);
    const kept = this.rows.filter((r) => keep.has(r));
    this.rows.length = 0;
    this.rows.push(...kept);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.reader.stop();
  }
}

function raplReader(spec: RaplSourceSpec): Reader {
  const read = (): Row => {
    const t = monotonicS();
    const v = spec.files.map((f) => {
      try {
        return counterValue(readFileSync(f, 'utf8'));
      } catch {
        return null;
      }
    });
    return { t, te: monotonicS(), v };
  };
  return { tick: { intervalMs: spec.intervalMs, read }, info: {}, stop() {} };
}

async function nvmlReader(spec: NvmlSourceSpec): Promise<Reader> {
  // NVML is already initialised by the main thread (once per process): no nvmlInit_v2 here.
  const api = await NvmlApi.load(spec.library);
  const handles = spec.indices.map((i) => api.handle(i));
  const read = (): Row => {
    const t = monotonicS();
    const v = handles.map((h) => {
      try {
        return api.powerMw(h) / 1000;
      } catch {
        return null;
      }
    });
    return { t, te: monotonicS(), v };
  };
  return { tick: { intervalMs: spec.intervalMs, read }, info: {}, stop() {} };
}

/** nvidia-smi's `timestamp`, "YYYY/MM/DD HH:MM:SS.mmm" in local time, as Unix seconds. */
function smiTime(text: string): number | undefined {
  const m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime() / 1000;
}

/** A GPU UUID as nvidia-smi prints it whole (a line cut short shows less). */
const GPU_UUID = /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function smiReader(
  spec: SmiSourceSpec,
  push: (row: Row) => void,
  unreadable: (line: string) => void,
  onDeath: () => void,
): Promise<Reader> {
  const child: ChildProcess = spawn('nvidia-smi', spec.args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  // nvidia-smi stamps each row with its local wall-clock time; this maps it onto the monotonic clock.
  const wallMinusMonotonic = Date.now() / 1000 - monotonicS();
  const channel = new Map(spec.uuids.map((u, i) => [u, i]));
  const seen = new Set<number>();
  let stderr = '';
  let stopping = false;
  const reader: Reader = {
    info: child.pid !== undefined ? { pid: child.pid } : {},
    stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
  return new Promise((resolve, reject) => {
    const fail = (reason: string, detail?: string) => {
      if (!reader.died) {
        reader.died = { reason, ...(detail ? { detail } : {}), t: monotonicS() };
        onDeath();
      }
      reject(new Error(detail ? `${reason}: ${detail}` : reason));
    };
    const timeout = setTimeout(() => {
      reader.stop();
      fail(`nvidia-smi gave no power sample for every GPU within ${spec.startTimeoutMs} ms`);
    }, spec.startTimeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timeout);
      fail(`nvidia-smi could not run (${err.code ?? err.message})`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timeout);
      if (stopping) return;
      fail(`nvidia-smi exited (${signal ?? `code ${code}`})`, stderr.trim().split('\n')[0]);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const arrived = monotonicS();
      if (line.trim() === '') return;
      const fields = line.split(',').map((f) => f.trim());
      const [stamp, , uuid, watts] = fields;
      const c = channel.get(uuid ?? '');
      // nvidia-smi prints every GPU: a whole line of one CUDA_VISIBLE_DEVICES hides is not ours to read.
      if (c === undefined && fields.length === 4 && GPU_UUID.test(uuid ?? '')) return;
      const wall = smiTime(stamp ?? '');
      // [N/A], [Unknown Error], a line cut short: the gap it leaves is the window's to report.
      if (c === undefined || fields.length !== 4 || !/^\d+(\.\d+)?$/.test(watts ?? '') || wall === undefined)
        return unreadable(line);
      const w = Number(watts);
      let t = wall - wallMinusMonotonic;
      // A row cannot be from the future, nor (with a live pipe) minutes old: a clock that jumped.
      if (t > arrived + 1 || t < arrived - 60) {
        reader.clockMismatches = (reader.clockMismatches ?? 0) + 1;
        t = arrived;
      }
      const v: (number | null)[] = spec.uuids.map(() => null);
      v[c] = w;
      push({ t, te: t, v });
      seen.add(c);
      if (seen.size === spec.uuids.length) {
        clearTimeout(timeout);
        resolve(reader);
      }
    });
  });
}

const sources = new Map<number, Sampling>();

async function add(id: number, spec: SourceSpec): Promise<SourceInfo> {
  const channels =
    spec.kind === 'rapl' ? spec.files.length : spec.kind === 'nvml' ? spec.indices.length : spec.uuids.length;
  const sampling = new Sampling(channels);
  sampling.reader =
    spec.kind === 'rapl'
      ? raplReader(spec)
      : spec.kind === 'nvml'
        ? await nvmlReader(spec)
        : await smiReader(
            spec,
            (row) => sampling.push(row),
            (line) => sampling.unreadable(line),
            () => port.postMessage({ died: id } satisfies DiedNotice),
          );
  sources.set(id, sampling);
  return sampling.reader.info;
}

function handle(m: Request): unknown {
  const source = sources.get(m.source);
  if (m.op === 'open') return source?.open(m.window, m.t0);
  if (!source) throw new Error(`sampler: no source ${m.source}`);
  if (m.op === 'take') return source.take(m.window, m.t1);
  if (m.op === 'remove') {
    source.stop();
    sources.delete(m.source);
    return null;
  }
  throw new Error(`sampler: unknown request ${(m as { op: string }).op}`);
}

const port = parentPort!;
port.on('message', (m: Request) => {
  const reply = (r: Reply) => port.postMessage(r);
  const fail = (req: number, err: unknown) =>
    reply({ req, ok: false, error: err instanceof Error ? err.message : String(err) });
  if (m.op === 'add') {
    add(m.source, m.spec).then(
      (value) => reply({ req: m.req, ok: true, value }),
      (err) => fail(m.req, err),
    );
    return;
  }
  try {
    const value = handle(m);
    if (m.op !== 'open') reply({ req: m.req, ok: true, value });
  } catch (err) {
    if (m.op !== 'open') fail(m.req, err);
  }
});
