// joulebench's own performance: what the harness costs on top of the work it measures.
// Prints figures and writes results/perf/<date>.json; asserts nothing (these machines are
// shared and noisy: compare the ratios measured within one run, not absolute times).
//
//   npm run perf              full run (a few minutes on 2 cores)
//   npm run perf -- --quick   smaller samples, under 2 minutes
//   npm run perf -- --meters  the meter overhead only (about 20 s)
//   npm run perf -- --help    the flags and the files they write (perf-options.ts: a mistyped
//                             flag is refused, a report never overwrites an earlier one)
//
// 1. Harness overhead: a bare loop calling the transformers.js pipeline vs joulebench's
//    measured window (tinybench timing + energy meter; for generation the token stream's
//    timestamps too) on the same inputs, interleaved a/b/a/b so machine noise hits both; for
//    generative tasks also the bare loop with the token stream as its streamer (its timestamps'
//    cost inside real generation); plus a raw onnxruntime session.run loop on pre-tokenized
//    inputs, to show the pipeline's own cost; and, model-free, what tinybench costs per call and
//    the token stream per decoding step.
// 2. Meter overhead: each meter's start+stop, the main thread's work per 1-second window (the
//    budget: 0.5%), and the CPU its sampler thread takes besides.
// 3. Scaling: wall time and peak RSS of a child process measuring 100, 1,000 and 5,000
//    inferences (the dataset cycled when shorter).
// 4. Batching and threads: J/1k and throughput for batch sizes 1, 4, 16 and onnxruntime
//    intra-op threads 1 and all cores, per task.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { Bench } from 'tinybench';
import { loadTask } from '../tasks/index.js';
import { loadDataset } from '../src/datasets/load.js';
import { selectRows } from '../src/datasets/selection.js';
import type { Meter } from '../src/meters/base.js';
import { describeMeters, selectMeter } from '../src/meters/index.js';
import { locateModel, resolveHubConfig, type HubConfig } from '../src/model/hub.js';
import { loadPipeline, type LoadedPipeline } from '../src/model/pipeline.js';
import { TokenStream } from '../src/model/token-stream.js';
import { openRegistry } from '../src/run/benchmark.js';
import { callInputs, measureWindow } from '../src/run/window.js';
import type { ModelEntry } from '../src/schema/model-entry.js';
import type { DatasetRow, Sample, SampleInput, TaskDef } from '../src/task-api.js';
import { median, quantile } from '../src/util/stats.js';
import { describeHardware, hardwareLabel } from '../src/util/system.js';
import { buildNvmlStandin, configureStandin, hasCompiler } from '../test/helpers/nvml-standin.js';
import { installSmiStandin } from '../test/helpers/nvidia-smi-standin.js';
import { PowercapFixture, serverZones } from '../test/helpers/powercap.js';
import { perfOptionsOrExit, writeNewReport } from './perf-options.js';

const options = perfOptionsOrExit(process.argv.slice(2));
const quick = options.quick;
const root = fileURLToPath(new URL('..', import.meta.url));

/** One registered model per task that a hub mirror provides, the fastest of each task. */
const perTask: Record<string, string> = {
  classification: 'joulebench-fixtures/sentiment-bow-en',
  generation: 'karpathy/stories260K',
  summarization: 'joulebench-fixtures/tiny-random-bart',
};

// Many alternating rounds rather than one long pass each: on a shared 2-core VM single passes
// vary by tens of percent, and the median of per-round ratios is what survives that noise.
const sizes = quick
  ? { overhead: { classification: 500, generation: 40, summarization: 30 }, rounds: 5, batch: 32 }
  : { overhead: { classification: 2000, generation: 150, summarization: 100 }, rounds: 11, batch: 96 };

interface Loaded {
  task: TaskDef;
  entry: ModelEntry;
  samples: Sample[];
  hub: HubConfig;
}

async function prepare(taskName: string, n: number): Promise<Loaded> {
  const hub = resolveHubConfig({});
  const task = await loadTask(taskName);
  const entry = (await openRegistry()).byId(perTask[taskName]!)!;
  const dataset = await loadDataset(task.dataset, hub);
  const keep = task.keep && ((row: DatasetRow) => task.keep!(row, task.dataset));
  const usable = selectRows(dataset.rows, keep, dataset.rows.length, null).selected;
  // Cycle the dataset when it is shorter than n (scaling runs ask for up to 5,000).
  const samples = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { row, index } = usable[i % usable.length]!;
      const sample = await task.prepare(row, index, task.dataset, { dir: dataset.dir });
      return { ...sample, input: (entry.inputPrefix ?? '') + (sample.input as string) }; // text tasks only here
    }),
  );
  return { task, entry, samples, hub };
}

async function open(l: Loaded, threads: number | null = null): Promise<LoadedPipeline> {
  const location = await locateModel(l.entry, l.hub);
  if (location.where === 'unavailable') throw new Error(`${l.entry.id}: ${location.message} (set JOULEBENCH_HUB)`);
  return loadPipeline(l.task.pipeline, l.entry, location, { threads, device: 'cpu' });
}

/** The pipeline called in a plain loop; with `stream`, as the window passes it (its timestamps' own cost). */
async function bareLoop(
  pipe: LoadedPipeline,
  inputs: readonly (SampleInput | SampleInput[])[],
  options: Record<string, unknown>,
  stream?: TokenStream,
): Promise<number> {
  const callOptions = stream ? { ...options, streamer: stream } : options;
  const outputs = new Array<unknown>(inputs.length);
  const t0 = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    stream?.begin();
    outputs[i] = await pipe(inputs[i]!, callOptions);
  }
  return (performance.now() - t0) / 1000;
}

async function harness(
  pipe: LoadedPipeline,
  inputs: readonly (SampleInput | SampleInput[])[],
  l: Loaded,
  meter: Meter,
): Promise<number> {
  const stream = l.task.generative ? new TokenStream() : undefined;
  const t0 = performance.now();
  await measureWindow(pipe, inputs, l.task.callOptions, meter, stream, 0); // one pass, as the bare loop
  return (performance.now() - t0) / 1000;
}

/** Raw onnxruntime on pre-tokenized inputs: the floor under the pipeline. */
async function rawOrtLoop(pipe: LoadedPipeline, samples: readonly Sample[]): Promise<number> {
  const p = pipe as unknown as {
    tokenizer: (t: string[], o: object) => Record<string, { data: BigInt64Array; dims: number[] }>;
    model: { sessions: { model: { inputNames: string[]; run(f: object): Promise<unknown> } } };
  };
  const session = p.model.sessions.model;
  const feeds = samples.map((s) => {
    const enc = p.tokenizer([s.input as string], { padding: true, truncation: true });
    return Object.fromEntries(
      session.inputNames.map((name) => [name, new ort.Tensor('int64', enc[name]!.data, enc[name]!.dims)]),
    );
  });
  const t0 = performance.now();
  for (const f of feeds) await session.run(f);
  return (performance.now() - t0) / 1000;
}

/**
 * The harness's own cost per pipeline call, free of model noise: tinybench timing an async
 * no-op versus a bare loop awaiting the same no-op.
 */
async function perCallCostUs(): Promise<number> {
  const n = 20_000;
  const noop = async () => {};
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await noop();
  const bare = performance.now() - t0;
  const bench = new Bench({ iterations: n, time: 0, warmup: false, retainSamples: true, throws: true });
  bench.add('noop', noop);
  const t1 = performance.now();
  await bench.run();
  return ((performance.now() - t1 - bare) / n) * 1000;
}

/**
 * The token stream's own cost per decoding step, free of model noise: calls of 10 steps (begin,
 * the prompt's put, 10 puts, end) on a TokenStream versus on a streamer that does nothing.
 */
function perTokenCostUs(): number {
  const calls = 50_000;
  const prompt = [[1n, 2n, 3n]];
  const step = [[7n]];
  const run = (s: { begin?(): void; put(ids: unknown[]): void; end(): void }) => {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) {
      s.begin?.();
      s.put(prompt);
      for (let i = 0; i < 10; i++) s.put(step);
      s.end();
    }
    return performance.now() - t0;
  };
  const nothing = { put(_ids: unknown[]) {}, end() {} };
  run(nothing); // warm both paths up
  run(new TokenStream());
  const bare = Math.min(run(nothing), run(nothing), run(nothing));
  const timed = Math.min(run(new TokenStream()), run(new TokenStream()), run(new TokenStream()));
  return ((timed - bare) / (calls * 10)) * 1000;
}

async function overhead(meter: Meter) {
  const result: Record<
    string,
    {
      bare: number;
      harness: number;
      ratio: number;
      ratioRange: [number, number];
      rawOrt?: number;
      /** Generative tasks: bare loop with the token stream ÷ without (median; middle half of rounds). */
      streamRatio?: number;
      streamRatioRange?: [number, number];
      samples: number;
      rounds: number;
    }
  > = {};
  for (const taskName of Object.keys(perTask)) {
    const n = sizes.overhead[taskName as keyof typeof sizes.overhead];
    const l = await prepare(taskName, n);
    const pipe = await open(l);
    const inputs = callInputs(l.samples, 1);
    await bareLoop(pipe, inputs.slice(0, 5), l.task.callOptions); // warm-up
    const bare: number[] = [];
    const harnessed: number[] = [];
    const streamed: number[] = [];
    const runs: (() => Promise<void>)[] = [
      async () => void bare.push(await bareLoop(pipe, inputs, l.task.callOptions)),
      async () => void harnessed.push(await harness(pipe, inputs, l, meter)),
    ];
    if (l.task.generative)
      runs.push(async () => void streamed.push(await bareLoop(pipe, inputs, l.task.callOptions, new TokenStream())));
    for (let r = 0; r < sizes.rounds; r++) {
      // Rotate which goes first, so drift in machine load favours none.
      for (let k = 0; k < runs.length; k++) await runs[(r + k) % runs.length]!();
    }
    const ratioStats = (over: readonly number[]) => {
      const ratios = bare.map((b, i) => over[i]! / b);
      const sorted = [...ratios].sort((a, b) => a - b);
      return { ratio: median(ratios), range: [quantile(sorted, 0.25), quantile(sorted, 0.75)] as [number, number] };
    };
    const whole = ratioStats(harnessed);
    result[taskName] = {
      bare: median(bare),
      harness: median(harnessed),
      ratio: whole.ratio,
      ratioRange: whole.range,
      samples: n,
      rounds: sizes.rounds,
    };
    if (streamed.length > 0) {
      const stream = ratioStats(streamed);
      result[taskName].streamRatio = stream.ratio;
      result[taskName].streamRatioRange = stream.range;
    }
    if (taskName === 'classification') result[taskName].rawOrt = await rawOrtLoop(pipe, l.samples);
    await pipe.dispose();
    const { ratioRange, streamRatio, streamRatioRange } = result[taskName];
    console.log(
      `overhead ${taskName}: bare ${median(bare).toFixed(3)} s, harness ${median(harnessed).toFixed(3)} s, ` +
        `ratio ${whole.ratio.toFixed(3)} (middle half of rounds ${ratioRange[0].toFixed(3)}–${ratioRange[1].toFixed(3)})` +
        (streamRatio !== undefined
          ? `; bare loop with the token stream ÷ without ${streamRatio.toFixed(3)} (${streamRatioRange![0].toFixed(3)}–${streamRatioRange![1].toFixed(3)})`
          : '') +
        (result[taskName].rawOrt !== undefined ? `, raw onnxruntime ${result[taskName].rawOrt!.toFixed(3)} s` : ''),
    );
  }
  return result;
}

interface MeterCost {
  /** Wall time of start() + stop() of an empty window (waits for the sampler thread's answer included). */
  startStopS: number;
  /** Work on the main thread (event loop busy) for one 1-second window, beyond an idle second without it. */
  mainThreadS: number;
  /** CPU of this process's other threads (the sampler thread) over the same second, beyond an idle one. */
  otherThreadsCpuS: number;
  /** mainThreadS / 1 s: the budget is 0.5%. */
  fraction: number;
}

/** What a meter costs the main thread per 1-second window, and what its sampler thread costs besides. */
async function costOf(meter: Meter): Promise<MeterCost> {
  await (await meter.start()).stop(); // the first window starts the sampler thread
  const reps = 20;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await (await meter.start()).stop();
  const startStopS = (performance.now() - t0) / 1000 / reps;
  // The main thread's busy time (event-loop utilisation) and the process's CPU over one idle second,
  // with a window open and without: the difference is the meter's.
  const second = async (withMeter: boolean) => {
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const w = withMeter ? await meter.start() : undefined;
    await new Promise((r) => setTimeout(r, 1000));
    await w?.stop();
    const c = process.cpuUsage(cpu);
    const main = performance.eventLoopUtilization(elu).active / 1000;
    return { main, others: (c.user + c.system) / 1e6 - main };
  };
  const without = await second(false);
  const within = await second(true);
  await meter.close();
  const mainThreadS = Math.max(0, within.main - without.main);
  return {
    startStopS,
    mainThreadS,
    otherThreadsCpuS: Math.max(0, within.others - without.others),
    fraction: mainThreadS / 1,
  };
}

/**
 * Each meter available here, and each measured meter that is not, run against the stand-ins
 * the tests use (a powercap tree, the compiled NVML stand-in, a stub nvidia-smi): the figure
 * is then the cost of joulebench's own reading and sampling, labelled "(stand-in)".
 */
async function meterOverhead() {
  const out: Record<string, MeterCost & { standIn: boolean; note?: string }> = {};
  const report = (name: string, cost: MeterCost, standIn: boolean) => {
    out[standIn ? `${name} (stand-in)` : name] = { ...cost, standIn };
    console.log(
      `meter ${name}${standIn ? ' (stand-in)' : ''}: start+stop ${(cost.startStopS * 1e3).toFixed(3)} ms, ` +
        `main thread ${(cost.mainThreadS * 1e3).toFixed(2)} ms per 1 s window = ${(cost.fraction * 100).toFixed(3)}%, ` +
        `sampler thread ${(cost.otherThreadsCpuS * 1e3).toFixed(2)} ms CPU`,
    );
  };
  const listing = await describeMeters({});
  for (const m of listing.filter((m) => m.available))
    report(m.name, await costOf((await selectMeter(m.name, {})).meter), false);
  const missing = new Set(listing.filter((m) => !m.available).map((m) => m.name));
  if (missing.has('rapl')) {
    const tree = await PowercapFixture.start(serverZones());
    report(
      'rapl',
      await costOf((await selectMeter('rapl', { env: { ...process.env, JOULEBENCH_POWERCAP_ROOT: tree.root } })).meter),
      true,
    );
    await tree.close();
  }
  if (missing.has('nvml') && hasCompiler) {
    configureStandin({ watts: [300, 300], persistence: [0, 1] });
    const lib = buildNvmlStandin();
    report(
      'nvml',
      await costOf((await selectMeter('nvml', { env: { ...process.env, JOULEBENCH_NVML_LIB: lib } })).meter),
      true,
    );
  }
  if (missing.has('nvidia-smi')) {
    const smi = installSmiStandin([300]);
    const env = { ...process.env, ...smi.env(), JOULEBENCH_NVML_LIB: '/nonexistent' };
    report('nvidia-smi', await costOf((await selectMeter('nvidia-smi', { env })).meter), true);
    out['nvidia-smi (stand-in)']!.note = "the nvidia-smi process's own CPU is not counted (it is another process)";
    smi.remove();
  }
  // meterOverhead: the main thread's share of a 1-second window per meter; the parts behind it alongside.
  return {
    meterOverhead: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.fraction])),
    meterOverheadDetails: out,
  };
}

/** Each size in a fresh child process, so peak RSS is that run's own. */
function scaling() {
  const rows: { samples: number; wallS: number; peakRssMb: number }[] = [];
  for (const samples of quick ? [100, 1000, 2000] : [100, 1000, 5000]) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--scaling-child', String(samples)],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    const row = JSON.parse(out.trim().split('\n').at(-1)!) as { samples: number; wallS: number; peakRssMb: number };
    rows.push(row);
    console.log(`scaling ${samples}: ${row.wallS.toFixed(2)} s, peak RSS ${row.peakRssMb.toFixed(0)} MB`);
  }
  return rows;
}

async function scalingChild(n: number) {
  const l = await prepare('classification', n);
  const pipe = await open(l);
  const { meter } = await selectMeter('estimate', {});
  const wallS = await harness(pipe, callInputs(l.samples, 1), l, meter);
  console.log(JSON.stringify({ samples: n, wallS, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function batchingAndThreads(meter: Meter) {
  const rows: {
    task: string;
    model: string;
    batchSize: number;
    threads: number;
    joulesPer1k: number;
    throughput: number;
    meter: string;
    kind: string;
  }[] = [];
  const all = availableParallelism();
  for (const taskName of Object.keys(perTask)) {
    const l = await prepare(taskName, sizes.batch);
    for (const threads of [...new Set([1, all])]) {
      const pipe = await open(l, threads);
      for (const batchSize of [1, 4, 16]) {
        const inputs = callInputs(l.samples, batchSize);
        await pipe(inputs[0]!, l.task.callOptions); // warm this batch shape
        const m = await measureWindow(
          pipe,
          inputs,
          l.task.callOptions,
          meter,
          l.task.generative ? new TokenStream() : undefined,
          0, // one pass per configuration (short windows: relative figures only)
        );
        const row = {
          task: taskName,
          model: l.entry.id,
          batchSize,
          threads,
          joulesPer1k: (m.reading.joules / l.samples.length) * 1000,
          throughput: l.samples.length / m.reading.durationS,
          meter: m.reading.meter,
          kind: m.reading.kind,
        };
        rows.push(row);
        console.log(
          `batch ${taskName} b=${batchSize} t=${threads}: ${row.joulesPer1k.toFixed(1)} J/1k (${row.kind}), ${row.throughput.toFixed(1)} inf/s`,
        );
      }
      await pipe.dispose();
    }
  }
  return rows;
}

async function main() {
  if (options.scalingChild !== undefined) return scalingChild(options.scalingChild);
  if (options.meters) {
    const report = { date: new Date().toISOString(), ...(await meterOverhead()) };
    console.log(`\nwrote ${writeReport(`${report.date.slice(0, 10)}-meters`, report)}`);
    return;
  }
  const t0 = performance.now();
  const hardware = await describeHardware();
  const { meter, notes } = await selectMeter('auto', {});
  for (const n of notes) console.log(n);
  console.log(`joulebench perf${quick ? ' --quick' : ''} on ${hardwareLabel(hardware)}; meter ${meter.describe()}\n`);
  const harnessPerCallUs = await perCallCostUs();
  console.log(`harness cost per call (tinybench timing, model-free): ${harnessPerCallUs.toFixed(2)} µs`);
  const tokenStreamPerStepUs = perTokenCostUs();
  console.log(
    `token stream cost per decoding step (one timestamp, counts; model-free): ${tokenStreamPerStepUs.toFixed(3)} µs`,
  );
  const report = {
    date: new Date().toISOString(),
    quick,
    machine: { ...hardware, label: hardwareLabel(hardware), node: process.versions.node },
    meter: { name: meter.name, kind: meter.kind },
    harnessPerCallUs,
    tokenStreamPerStepUs,
    overhead: await overhead(meter),
    ...(await meterOverhead()),
    scaling: scaling(),
    batching: await batchingAndThreads(meter),
    wallS: 0,
  };
  report.wallS = (performance.now() - t0) / 1000;
  const path = writeReport(`${report.date.slice(0, 10)}${quick ? '-quick' : ''}`, report);
  console.log(`\nwrote ${path} (${report.wallS.toFixed(0)} s)`);
}

/** results/perf/<stem>.json, or the next free <stem>-<n>.json: an earlier report is kept. */
function writeReport(stem: string, report: unknown): string {
  const dir = join(root, 'results', 'perf');
  mkdirSync(dir, { recursive: true });
  return writeNewReport(dir, stem, report, (line) => console.log(line));
}

await main();
