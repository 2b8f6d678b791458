// Hand-built records for report tests: realistic shape, figures chosen by the test.
import type { OkRecord, SkippedRecord } from '../../src/schema/result-record.js';

const hardware: OkRecord['hardware'] = {
  cpu: { model: 'Test CPU 9000', vendor: 'Test', logicalCores: 8, physicalCores: 4 },
  memoryGB: 32,
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6.1', arch: 'x64' },
  gpus: [],
};

interface Overrides {
  task?: string;
  model?: string;
  kind?: 'pretrained' | 'fixture';
  joulesPer1k?: number;
  quality?: Record<string, number>;
  repetition?: number;
  cpuModel?: string;
  energyKind?: 'measured' | 'estimated';
  meter?: string;
  runId?: string;
  inferences?: number;
  parameters?: number;
  dtype?: string;
  callOptions?: Record<string, unknown>;
  components?: 'cpu' | 'cpu+dram' | 'gpu';
  datasetId?: string;
  idleWatts?: number;
}

function base(o: Overrides) {
  return {
    schemaVersion: 1 as const,
    runId: o.runId ?? 'run-1',
    task: o.task ?? 'classification',
    taskVersion: 1,
    model: o.model ?? 'org/model',
    modelInfo: {
      hfId: o.model ?? 'org/model',
      revision: 'main',
      dtype: o.dtype ?? 'fp32',
      parameters: o.parameters ?? 1000,
      kind: o.kind ?? 'pretrained',
      licence: 'mit',
    },
    settings: {
      samples: 10,
      batchSize: 1,
      warmup: 1,
      repetition: o.repetition ?? 1,
      repetitions: 3,
      device: 'cpu',
      threads: null,
      callOptions: o.callOptions ?? {},
    },
    hardware: o.cpuModel ? { ...hardware, cpu: { ...hardware.cpu, model: o.cpuModel } } : hardware,
    software: { node: '20', onnxruntimeNode: '1.30.0', transformers: '4.3.1', tinybench: '6', joulebench: '0.1.0' },
    startedAt: '2026-11-26T00:00:00.000Z',
  };
}

/** Splits the joules over the named components (half each for cpu+dram). */
function componentJoules(components: 'cpu' | 'cpu+dram' | 'gpu', joules: number): OkRecord['energy']['components'] {
  if (components === 'cpu+dram') return { cpu: joules / 2, dram: joules / 2 };
  return { [components]: joules };
}

/** One JSONL line per record, as RecordWriter writes them. */
export function jsonl(records: readonly object[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

export function okRecord(o: Overrides): OkRecord {
  const inferences = o.inferences ?? 10;
  const j = o.joulesPer1k ?? 100;
  const joules = (j * inferences) / 1000;
  return {
    ...base(o),
    status: 'ok',
    modelSource: { where: 'local-hub', dir: '/hub/models/org/model', files: { 'onnx/model.onnx': 'ab' } },
    dataset: {
      id: o.datasetId ?? 'org/data',
      split: 'test',
      source: 'local-hub',
      sha256: 'cd',
      rows: 100,
      selection: { method: 'first', n: inferences },
    },
    inferences,
    durationS: 1,
    energy: {
      meter: o.meter ?? 'estimate',
      kind: o.energyKind ?? 'estimated',
      components: componentJoules(o.components ?? 'cpu', joules),
      joules,
      details: {},
      warnings: [],
    },
    joulesPer1kInferences: j,
    latencyMs: { mean: 2, p50: 2, p95: 3, p99: 4, min: 1, max: 5, sd: 0.5 },
    throughput: inferences,
    quality: o.quality ?? { accuracy: 0.5, macroF1: 0.5, unmappedRate: 0 },
    loadS: 0.1,
    endedAt: '2026-11-26T00:00:01.000Z',
  };
}

export function skippedRecord(o: Overrides): SkippedRecord {
  return {
    ...base(o),
    settings: { ...base(o).settings, repetition: null },
    status: 'skipped',
    dataset: { id: 'org/data', split: 'test' },
    reason: 'offline',
    message: 'not available offline (looked in /x)',
  };
}

/** One record per repetition, with these J/1k: what a model's row pools. */
export function repetitions(o: Overrides, joulesPer1k: readonly number[]): OkRecord[] {
  return joulesPer1k.map((j, i) => okRecord({ ...o, joulesPer1k: j, repetition: i + 1 }));
}
