// Loads a task's dataset split: local mirror first, then the download cache, then the Hub's
// parquet export (downloaded once into the cache with @huggingface/hub).
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { z } from 'zod';
import { hubRefusal, provideHint, type HubConfig } from '../model/hub.js';
import type { DatasetSpec } from '../schema/dataset-spec.js';
import type { Source } from '../schema/result-record.js';
import type { DatasetRow } from '../task-api.js';
import { UserError, errorCode, errorMessage, networkCause } from '../util/errors.js';
import { readJsonFile } from '../util/json-file.js';
import { promiseMemo } from '../util/memo.js';
import { datasetExtensions, parseDataset, parseParquet } from './formats.js';
import { downloadParquetExport, hubStatus } from './hub-export.js';

/** Where a dataset split was read from, with the hash of the exact bytes. */
export interface LoadedDataset {
  id: string;
  split: string;
  config?: string;
  /** Absolute path of the file (or folder of parquet shards) read. */
  path: string;
  /** The folder relative paths in its rows resolve against (the mirror's images beside the file). */
  dir: string;
  source: Source;
  sha256: string;
  rows: DatasetRow[];
  /** Label names from the mirror's meta.json, when present. */
  labelNames?: string[] | undefined;
}

function sha256(parts: readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

/** The part of a mirror's meta.json joulebench reads. */
const MirrorMetaSchema = z.object({ split: z.string().optional(), label_names: z.array(z.string()).optional() });

/** Label names from a mirror's meta.json (meta.<split>.json for a second split). */
function mirrorLabelNames(dir: string, split: string): string[] | undefined {
  for (const name of [`meta.${split}.json`, 'meta.json']) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const meta = readJsonFile(path, MirrorMetaSchema, 'dataset metadata');
    if (name === 'meta.json' && meta.split !== undefined && meta.split !== split) continue;
    return meta.label_names;
  }
  return undefined;
}

/**
 * A mirror split's folder of files beside it (`test/` beside `test.jsonl`: the images its rows
 * name), as hash parts: each file's path, length and bytes, in name order, so a changed, added or
 * renamed image changes the split's sha256 as a changed row would. Links are followed (their
 * target's bytes are what a row reads); hidden files (.DS_Store, editors' swap files) are not
 * the data and are left out. No folder: no parts (a text split's hash is its file's alone).
 */
async function companionParts(folder: string): Promise<Uint8Array[]> {
  let names: string[];
  try {
    names = (await readdir(folder, { recursive: true }))
      .filter((name) => !name.split(sep).some((part) => part.startsWith('.')))
      .filter((name) => statSync(join(folder, name)).isFile())
      .sort();
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return [];
    throw err;
  }
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const bytes = await readFile(join(folder, name));
    parts.push(Buffer.from(`\0${name}\0${bytes.length}\0`), bytes);
  }
  return parts;
}

async function fromMirror(spec: DatasetSpec, hubDir: string): Promise<LoadedDataset | string[]> {
  const dir = join(hubDir, 'datasets', spec.id);
  const looked: string[] = [];
  for (const ext of datasetExtensions) {
    const path = join(dir, `${spec.split}.${ext}`);
    looked.push(path);
    if (!existsSync(path)) continue;
    const bytes = await readFile(path);
    return {
      id: spec.id,
      split: spec.split,
      path,
      dir,
      source: 'local-hub',
      sha256: sha256([bytes, ...(await companionParts(join(dir, spec.split)))]),
      rows: await parseDataset(ext, bytes, path),
      labelNames: mirrorLabelNames(dir, spec.split),
    };
  }
  return looked;
}

function cacheDirFor(spec: DatasetSpec, cfg: HubConfig): string {
  return join(cfg.cacheDir, 'datasets', spec.id, spec.config, spec.split);
}

async function fromCache(
  spec: DatasetSpec,
  dir: string,
  source: 'cache' | 'hf-hub',
): Promise<LoadedDataset | undefined> {
  if (!existsSync(dir)) return undefined;
  const shards = (await readdir(dir)).filter((f) => f.endsWith('.parquet')).sort();
  if (shards.length === 0) return undefined;
  const bytes = await Promise.all(shards.map((f) => readFile(join(dir, f))));
  const rows: DatasetRow[] = [];
  for (const [i, b] of bytes.entries()) rows.push(...(await parseParquet(b, join(dir, shards[i]!))));
  return { id: spec.id, split: spec.split, config: spec.config, path: dir, dir, source, sha256: sha256(bytes), rows };
}

/**
 * Datasets already read with a hub configuration (one per run): the plan and the run read the
 * same bytes once, and a dataset downloaded by the plan still says it came from the Hub.
 */
const loaded = promiseMemo<HubConfig, LoadedDataset>();

/** A task's dataset split: local mirror, then the download cache, then the Hub's parquet export. */
export function loadDataset(spec: DatasetSpec, cfg: HubConfig): Promise<LoadedDataset> {
  return loaded(cfg, JSON.stringify([spec.id, spec.config, spec.split]), () => readDataset(spec, cfg));
}

async function readDataset(spec: DatasetSpec, cfg: HubConfig): Promise<LoadedDataset> {
  const looked: string[] = [];
  if (cfg.hubDir) {
    const found = await fromMirror(spec, cfg.hubDir);
    if (!Array.isArray(found)) return found;
    looked.push(...found);
  }
  const cacheDir = cacheDirFor(spec, cfg);
  looked.push(join(cacheDir, '*.parquet'));
  const cached = await fromCache(spec, cacheDir, 'cache');
  if (cached) return cached;
  const where = `Dataset ${spec.id} (${spec.split})`;
  if (cfg.offline) {
    throw new UserError(
      `${where} is not available offline (looked in ${looked.join(', ')}; offline mode). ${provideHint}`,
    );
  }
  try {
    await downloadParquetExport(spec, cfg, cacheDir);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const status = hubStatus(err);
    if (status !== undefined) {
      const why = hubRefusal(status, cfg.token !== undefined);
      throw new UserError(`${where}: the Hub answered HTTP ${status}${why ? ` (${why})` : ''}: ${errorMessage(err)}`);
    }
    const cause = networkCause(err);
    throw new UserError(
      `${where} is not available offline (looked in ${looked.join(', ')}; ${cfg.remoteHost} unreachable: ${cause}). ${provideHint}`,
    );
  }
  const downloaded = await fromCache(spec, cacheDir, 'hf-hub');
  if (!downloaded) throw new UserError(`${where}: download to ${dirname(cacheDir)} produced no parquet file`);
  return downloaded;
}
