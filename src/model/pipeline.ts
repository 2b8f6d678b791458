// The model adapter: builds a transformers.js pipeline from exactly the location the hub
// module found (mirror, cache or Hub), and hashes the files it loaded for provenance.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import type { Dtype, ModelEntry } from '../schema/model-entry.js';
import type { PipelineTask, SampleInput } from '../task-api.js';
import { weightFilePattern, type FoundModel } from './hub.js';

/** One pipeline call: one input, or a batch (an array of inputs), and the call options. */
export type PipelineCall = (
  input: SampleInput | readonly SampleInput[],
  options: Record<string, unknown>,
) => Promise<unknown>;

/** A loaded pipeline as the runner sees it: call it with one input or a batch. */
export interface LoadedPipeline extends PipelineCall {
  dispose(): Promise<void>;
}

interface PipelineOptions {
  /** onnxruntime intra-op threads; null = onnxruntime's default. */
  threads: number | null;
  device: string;
}

export async function loadPipeline(
  task: PipelineTask,
  entry: ModelEntry,
  location: FoundModel,
  options: PipelineOptions,
): Promise<LoadedPipeline> {
  // transformers.js reads these globals at load time; set them for this one model so it loads
  // from the place we report, and never silently from somewhere else.
  const remote = location.where === 'hf-hub';
  if (remote) env.remoteHost = `${location.remoteHost}/`;
  // The pinned revision goes into the download URL itself, and transformers.js is told 'main', so
  // every file lands in <root>/<hfId>/ (its own cache files a pinned revision's config.json elsewhere).
  env.remotePathTemplate = `{model}/resolve/${encodeURIComponent(entry.revision)}/`;
  env.allowLocalModels = true;
  env.localModelPath = `${location.root}/`;
  env.allowRemoteModels = remote;
  env.useFSCache = remote;
  env.cacheDir = `${location.root}/`;
  const sessionOptions = options.threads !== null ? { intraOpNumThreads: options.threads } : undefined;
  const pipe = await pipeline(task, entry.hfId, {
    dtype: entry.dtype,
    revision: 'main',
    device: options.device as 'cpu',
    ...(sessionOptions ? { session_options: sessionOptions } : {}),
  });
  return pipe as unknown as LoadedPipeline;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const METADATA_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json', // image models: resize and normalisation change every output
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

/** sha256 of the files a pipeline loads: metadata and the dtype's ONNX weights. */
export async function hashModelFiles(dir: string, dtype: Dtype): Promise<Record<string, string>> {
  const files = METADATA_FILES.filter((f) => existsSync(join(dir, f)));
  if (existsSync(join(dir, 'onnx'))) {
    const pattern = weightFilePattern(dtype);
    files.push(...(await readdir(join(dir, 'onnx'))).filter((f) => pattern.test(f)).map((f) => `onnx/${f}`));
  }
  const hashes: Record<string, string> = {};
  for (const f of files.sort()) hashes[f] = await sha256File(join(dir, f));
  return hashes;
}
