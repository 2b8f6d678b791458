// Where models and datasets come from: a local mirror in Hub layout (--hub / JOULEBENCH_HUB),
// joulebench's download cache, or the Hugging Face Hub. Every "not found" says where it looked.
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { dtypeSuffix, type Dtype, type ModelEntry } from '../schema/model-entry.js';
import { UserError, networkCause } from '../util/errors.js';

export interface HubConfig {
  /** Local mirror: DIR/models/<org>/<name>/..., DIR/datasets/<org>/<name>/<split>.jsonl. */
  hubDir: string | undefined;
  /** Downloads land here, in the same layout as a mirror (so a cache is a mirror too). */
  cacheDir: string;
  /** Never touch the network (HF_HUB_OFFLINE=1 or --offline). */
  offline: boolean;
  remoteHost: string;
  /** HF_TOKEN: sent as `Authorization: Bearer` with every Hub request (gated and private repos). */
  token: string | undefined;
  /** Injected in tests to stand in for the Hub. */
  fetch: typeof fetch;
}

export interface HubFlags {
  hub?: string | undefined;
  cache?: string | undefined;
  offline?: boolean | undefined;
}

export function resolveHubConfig(flags: HubFlags, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const hub = flags.hub ?? env.JOULEBENCH_HUB;
  let hubDir: string | undefined;
  if (hub !== undefined && hub !== '') {
    hubDir = resolve(hub);
    const origin = flags.hub !== undefined ? '--hub' : 'JOULEBENCH_HUB';
    if (!existsSync(hubDir) || !statSync(hubDir).isDirectory()) {
      throw new UserError(`${origin} ${hub}: no such directory (expected a mirror with models/ and datasets/ inside)`);
    }
  }
  return {
    hubDir,
    cacheDir: resolve(flags.cache ?? env.JOULEBENCH_CACHE ?? join(homedir(), '.cache', 'joulebench')),
    offline: flags.offline === true || env.HF_HUB_OFFLINE === '1' || env.JOULEBENCH_OFFLINE === '1',
    remoteHost: (env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/$/, ''),
    token: env.HF_TOKEN || undefined,
    fetch: globalThis.fetch,
  };
}

/** The Authorization header for Hub requests, when HF_TOKEN is set. */
export function authHeaders(cfg: HubConfig): Record<string, string> {
  return cfg.token ? { authorization: `Bearer ${cfg.token}` } : {};
}

/**
 * Why the Hub refused a request, for a one-line message. Without a token it answers 401 alike
 * for a repo that does not exist and for a private or gated one, so both are named.
 */
export function hubRefusal(status: number, hasToken: boolean, errorCode?: string | null): string | undefined {
  if (status === 401 && !hasToken) return 'unknown repo, or private or gated: set HF_TOKEN if you have access';
  if (status === 401) return 'HF_TOKEN was not accepted';
  if (status === 403) return 'HF_TOKEN has no access (a gated repo: accept its conditions on its Hub page first)';
  if (status === 404 && errorCode === 'RevisionNotFound') return 'no such revision';
  if (status === 404) return 'not found';
  return undefined; // nothing to add to the status
}

export type ModelLocation =
  | { where: 'local-hub' | 'cache'; root: string; dir: string }
  | { where: 'hf-hub'; root: string; dir: string; remoteHost: string }
  | { where: 'unavailable'; reason: 'offline' | 'not-found' | 'incomplete'; message: string };

/** A model that was found, with the folder it loads from. */
export type FoundModel = Extract<ModelLocation, { dir: string }>;

/** ONNX weight files transformers.js loads for a dtype (model, or encoder + decoder). */
export function weightFilePattern(dtype: Dtype): RegExp {
  const suffix = dtypeSuffix[dtype];
  return new RegExp(
    `^(model|encoder_model|decoder_model|decoder_model_merged|decoder_with_past_model)${suffix}\\.onnx(_data(_\\d+)?)?$`,
  );
}

async function hasWeights(dir: string, dtype: Dtype): Promise<boolean> {
  const onnxDir = join(dir, 'onnx');
  if (!existsSync(onnxDir)) return false;
  const pattern = weightFilePattern(dtype);
  return (await readdir(onnxDir)).some((f) => pattern.test(f) && f.endsWith('.onnx'));
}

/**
 * The cache folder a model revision downloads into, in mirror layout (<root>/<org>/<name>/):
 * `models/` for main, `revisions/<revision>/` for a pinned one, so revisions never mix.
 */
function cacheRootFor(cacheDir: string, revision: string): string {
  return revision === 'main' ? join(cacheDir, 'models') : join(cacheDir, 'revisions', revision);
}

type Unavailable = Extract<ModelLocation, { where: 'unavailable' }>;

function incomplete(dir: string, entry: ModelEntry): Unavailable {
  const suffix = dtypeSuffix[entry.dtype];
  return {
    where: 'unavailable',
    reason: 'incomplete',
    message:
      `model files incomplete in ${dir}: no onnx/*${suffix}.onnx weights for dtype ${entry.dtype} ` +
      `(transformers.js layout: config.json, tokenizer.json, onnx/model${suffix}.onnx)`,
  };
}

/** What the Hub said about a model's revision. */
type HubAnswer = { found: true } | { found: false; reason: 'offline' | 'not-found'; detail: string };

/** One metadata request, so an unreachable Hub or an unknown model is reported before anything loads. */
async function probeHub(entry: ModelEntry, cfg: HubConfig): Promise<HubAnswer> {
  const url = `${cfg.remoteHost}/api/models/${entry.hfId}/revision/${encodeURIComponent(entry.revision)}`;
  try {
    const res = await cfg.fetch(url, { headers: authHeaders(cfg), signal: AbortSignal.timeout(15_000) });
    await res.body?.cancel();
    if (res.ok) return { found: true };
    const why = hubRefusal(res.status, cfg.token !== undefined, res.headers.get('x-error-code'));
    return { found: false, reason: 'not-found', detail: `HTTP ${res.status} for ${url}${why ? `: ${why}` : ''}` };
  } catch (err) {
    return { found: false, reason: 'offline', detail: `${cfg.remoteHost} unreachable: ${networkCause(err)}` };
  }
}

/** The Hub's answers of this run (one hub configuration per run): the plan and the run agree, asked once. */
const answers = new WeakMap<HubConfig, Map<string, Promise<HubAnswer>>>();

function askHub(entry: ModelEntry, cfg: HubConfig): Promise<HubAnswer> {
  const memo = answers.get(cfg) ?? new Map<string, Promise<HubAnswer>>();
  answers.set(cfg, memo);
  const key = `${entry.hfId}@${entry.revision}`;
  let answer = memo.get(key);
  if (!answer) {
    answer = probeHub(entry, cfg);
    memo.set(key, answer);
  }
  return answer;
}

/**
 * Finds a model: local mirror, then cache, then (unless offline) the Hub. A cached model whose
 * weights never arrived (a download that failed part-way) is completed from the Hub when the
 * Hub has it (asked once per run); only then is it called incomplete.
 */
export async function locateModel(entry: ModelEntry, cfg: HubConfig): Promise<ModelLocation> {
  const looked: string[] = [];
  if (cfg.hubDir) {
    const root = join(cfg.hubDir, 'models');
    const dir = join(root, entry.hfId);
    looked.push(dir);
    if (existsSync(join(dir, 'config.json'))) {
      // A mirror is the user's: used as it is, never completed from the Hub.
      return (await hasWeights(dir, entry.dtype)) ? { where: 'local-hub', root, dir } : incomplete(dir, entry);
    }
  }
  const root = cacheRootFor(cfg.cacheDir, entry.revision);
  const dir = join(root, entry.hfId);
  looked.push(dir);
  const fromHub: FoundModel = { where: 'hf-hub', root, dir, remoteHost: cfg.remoteHost };
  if (existsSync(join(dir, 'config.json'))) {
    if (await hasWeights(dir, entry.dtype)) return { where: 'cache', root, dir };
    const missing = incomplete(dir, entry);
    if (cfg.offline) return missing;
    const answer = await askHub(entry, cfg);
    if (answer.found) return fromHub; // transformers.js keeps the cached files and fetches the rest
    return { ...missing, message: `${missing.message}; the Hub could not supply them (${answer.detail})` };
  }
  const where = looked.join(', ');
  if (cfg.offline) {
    return {
      where: 'unavailable',
      reason: 'offline',
      message: `not available offline (looked in ${where}; offline mode)`,
    };
  }
  const answer = await askHub(entry, cfg);
  if (answer.found) return fromHub;
  return answer.reason === 'not-found'
    ? {
        where: 'unavailable',
        reason: 'not-found',
        message: `not found on the Hub (${answer.detail}); also looked in ${where}`,
      }
    : {
        where: 'unavailable',
        reason: 'offline',
        message: `not available offline (looked in ${where}; ${answer.detail})`,
      };
}

/** How to provide a model or dataset that could not be found: appended to skip messages. */
export const provideHint =
  'Provide it with --hub DIR or JOULEBENCH_HUB=DIR (a mirror in Hub layout: DIR/models/<org>/<name>/, ' +
  'DIR/datasets/<org>/<name>/<split>.jsonl), or run once on a machine that reaches huggingface.co.';
