// The Hub's parquet conversion of a dataset (branch refs/convert/parquet, one folder per config
// and split): lists and downloads one config/split with @huggingface/hub, sending HF_TOKEN, and
// names the configs and splits that do exist when the one asked for is not there.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFile, listFiles } from '@huggingface/hub';
import { z } from 'zod';
import { authHeaders, hubRefusal, type HubConfig } from '../model/hub.js';
import type { DatasetSpec } from '../schema/dataset-spec.js';
import { UserError, errorMessage } from '../util/errors.js';

const PARQUET_REVISION = 'refs/convert/parquet';

/** What `/api/datasets/<id>/parquet` answers: config -> split -> shard URLs. */
const ExportListingSchema = z.record(z.string(), z.record(z.string(), z.array(z.string())));

/** The HTTP status of a failed @huggingface/hub call (HubApiError), if it was one. */
export function hubStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** "it has: default (test, train); extra (validation)", or why the Hub did not say. */
async function availableExports(spec: DatasetSpec, cfg: HubConfig): Promise<string> {
  const url = `${cfg.remoteHost}/api/datasets/${spec.id}/parquet`;
  try {
    const res = await cfg.fetch(url, { headers: authHeaders(cfg), signal: AbortSignal.timeout(15_000) });
    if (!res.ok) {
      const why = hubRefusal(res.status, cfg.token !== undefined, res.headers.get('x-error-code'));
      return `the Hub did not list its configs (HTTP ${res.status}${why ? `, ${why},` : ''} for ${url})`;
    }
    const listing = ExportListingSchema.parse(await res.json());
    const configs = Object.entries(listing).map(([config, splits]) => `${config} (${Object.keys(splits).join(', ')})`);
    return configs.length > 0 ? `it has: ${configs.join('; ')}` : 'it has no parquet export at all';
  } catch (err) {
    return `the Hub did not list its configs (${errorMessage(err)})`;
  }
}

type Common = Pick<Parameters<typeof listFiles>[0], 'repo' | 'hubUrl' | 'fetch' | 'accessToken'>;

/** Repo paths of the config/split's parquet shards, sorted; a UserError naming what exists if none. */
async function listShards(spec: DatasetSpec, cfg: HubConfig, common: Common): Promise<string[]> {
  const shards: string[] = [];
  try {
    // listFiles (2.17.5, pinned) puts the revision into the URL as given; the Hub wants it encoded once.
    const revision = encodeURIComponent(PARQUET_REVISION);
    for await (const entry of listFiles({ ...common, revision, path: `${spec.config}/${spec.split}` })) {
      if (entry.type === 'file' && entry.path.endsWith('.parquet')) shards.push(entry.path);
    }
  } catch (err) {
    if (hubStatus(err) !== 404) throw err;
  }
  if (shards.length === 0) {
    throw new UserError(
      `Dataset ${spec.id} (${spec.split}): the Hub's parquet export has no config '${spec.config}' with split ` +
        `'${spec.split}'; ${await availableExports(spec, cfg)}`,
    );
  }
  return shards.sort();
}

/** Downloads the Hub's parquet export of one config/split into `dir`. */
export async function downloadParquetExport(spec: DatasetSpec, cfg: HubConfig, dir: string): Promise<void> {
  if (cfg.token !== undefined && !cfg.token.startsWith('hf_')) {
    // @huggingface/hub refuses such a token with a TypeError; say it the way a user can act on.
    throw new UserError("HF_TOKEN is not a Hugging Face access token (those start with 'hf_')");
  }
  const common: Common = {
    repo: { type: 'dataset', name: spec.id },
    hubUrl: cfg.remoteHost,
    fetch: cfg.fetch,
    ...(cfg.token !== undefined ? { accessToken: cfg.token } : {}),
  };
  const shards = await listShards(spec, cfg, common);
  await mkdir(dir, { recursive: true });
  for (const path of shards) {
    // xet: false: the bytes come through the resolve URL's redirect to the CDN, not the Xet protocol.
    const blob = await downloadFile({ ...common, revision: PARQUET_REVISION, path, xet: false });
    if (!blob) throw new UserError(`The Hub listed ${spec.id}/${path} but did not serve it`);
    const target = join(dir, path.split('/').pop()!);
    await writeFile(`${target}.partial`, new Uint8Array(await blob.arrayBuffer()));
    await rename(`${target}.partial`, target); // a half-written shard never looks complete
  }
}
