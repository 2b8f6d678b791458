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
export function hubRefusal(status: number, hasToken: boolean, errorCode?: string | null): string {
  if (status === 401 && !hasToken) return 'unknown repo, or private or gated: set HF_TOKEN if you have access';
  if (status === 401) return 'HF_TOKEN was not accepted';
  if (status === 403) return 'HF_TOKEN has no access (a gated repo: accept its conditions on its Hub page first)';
  if (status === 404 && errorCode === 'RevisionNotFound') return 'no such revision';
  if (status === 404) return 'not found';
  return `HTTP ${status}`;
}

/** Directories searched for a model, in order, with what each is. */
function modelRoots(cfg: HubConfig): { where: 'local-hub' | 'cache'; root: string }[] {
  const roots: { where: 'local-hub' | 'cache'; root: string }[] = [];
  if (cfg.hubDir) roots.push({ where: 'local-hub', root: join(cfg.hubDir, 'models') });
  roots.push({ where: 'cache', root: join(cfg.cacheDir, 'models') });
  return roots;
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
 * Finds a model: local mirror, then cache, then (unless offline) the Hub, which is probed
 * with one metadata request so an unreachable Hub is reported before anything loads.
 */
export async function locateModel(entry: ModelEntry, cfg: HubConfig): Promise<ModelLocation> {
  const looked: string[] = [];
  for (const { where, root } of modelRoots(cfg)) {
    const dir = join(root, entry.hfId);
    looked.push(dir);
    if (!existsSync(join(dir, 'config.json'))) continue;
    if (await hasWeights(dir, entry.dtype)) return { where, root, dir };
    return {
      where: 'unavailable',
      reason: 'incomplete',
      message:
        `model files incomplete in ${dir}: no onnx/*${dtypeSuffix[entry.dtype]}.onnx weights for dtype ${entry.dtype} ` +
        `(transformers.js layout: config.json, tokenizer.json, onnx/model${dtypeSuffix[entry.dtype]}.onnx)`,
    };
  }
  const cacheRoot = join(cfg.cacheDir, 'models');
  const where = looked.join(', ');
  if (cfg.offline) {
    return {
      where: 'unavailable',
      reason: 'offline',
      message: `not available offline (looked in ${where}; offline mode)`,
    };
  }
  const url = `${cfg.remoteHost}/api/models/${entry.hfId}/revision/${encodeURIComponent(entry.revision)}`;
  try {
    const headers: Record<string, string> = {};
    if (process.env.HF_TOKEN) headers.authorization = `Bearer ${process.env.HF_TOKEN}`;
    const res = await cfg.fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    if (res.ok)
      return { where: 'hf-hub', root: cacheRoot, dir: join(cacheRoot, entry.hfId), remoteHost: cfg.remoteHost };
    return {
      where: 'unavailable',
      reason: 'not-found',
      message: `not found on the Hub (HTTP ${res.status} for ${url}; gated models need HF_TOKEN); also looked in ${where}`,
    };
  } catch (err) {
    const cause = networkCause(err);
    return {
      where: 'unavailable',
      reason: 'offline',
      message: `not available offline (looked in ${where}; ${cfg.remoteHost} unreachable: ${cause})`,
    };
  }
}

/** How to provide a model or dataset that could not be found: appended to skip messages. */
export const provideHint =
  'Provide it with --hub DIR or JOULEBENCH_HUB=DIR (a mirror in Hub layout: DIR/models/<org>/<name>/, ' +
  'DIR/datasets/<org>/<name>/<split>.jsonl), or run once on a machine that reaches huggingface.co.';
