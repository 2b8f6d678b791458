// `joulebench verify <records...>`: re-hashes the datasets and model files that records say
// they used, against what the local hub (or cache) holds now, and flags records whose inputs
// differ. Never touches the network.
import { loadDataset } from '../datasets/load.js';
import { locateModel, resolveHubConfig, type HubConfig, type HubFlags } from '../model/hub.js';
import { hashModelFiles } from '../model/pipeline.js';
import type { ModelRegistry } from '../model/registry.js';
import type { ModelEntry } from '../schema/model-entry.js';
import type { OkRecord } from '../schema/result-record.js';
import { UserError, errorMessage } from '../util/errors.js';
import { groupBy } from '../util/stats.js';
import { readRecords } from './reader.js';

interface VerifyOptions extends HubFlags {
  paths: string[];
  /** The registry, for the files each model loads; a model no longer registered is checked from its record. */
  registry: ModelRegistry;
}

type Verdict = 'ok' | 'differs' | 'missing';

interface VerifyLine {
  verdict: Verdict;
  subject: string;
  detail: string;
  records: number;
}

async function verifyDatasets(records: OkRecord[], hub: HubConfig): Promise<VerifyLine[]> {
  const lines: VerifyLine[] = [];
  for (const group of groupBy(records, (r) =>
    JSON.stringify([r.dataset.id, r.dataset.split, r.dataset.config, r.dataset.sha256]),
  ).values()) {
    const d = group[0]!.dataset;
    const subject = `dataset ${d.id} (${d.split})`;
    try {
      const now = await loadDataset(
        { id: d.id, split: d.split, config: d.config ?? 'default', fields: {}, description: '' },
        hub,
      );
      lines.push(
        now.sha256 === d.sha256
          ? { verdict: 'ok', subject, detail: `sha256 matches ${now.path}`, records: group.length }
          : {
              verdict: 'differs',
              subject,
              detail: `sha256 ${d.sha256.slice(0, 12)}… in the records, ${now.sha256.slice(0, 12)}… in ${now.path}`,
              records: group.length,
            },
      );
    } catch (err) {
      lines.push({ verdict: 'missing', subject, detail: errorMessage(err), records: group.length });
    }
  }
  return lines;
}

async function verifyModels(records: OkRecord[], hub: HubConfig, registry: ModelRegistry): Promise<VerifyLine[]> {
  const lines: VerifyLine[] = [];
  for (const group of groupBy(records, (r) =>
    JSON.stringify([r.modelInfo.hfId, r.modelInfo.dtype, r.modelSource.files]),
  ).values()) {
    const r = group[0]!;
    const subject = `model ${r.model}`;
    const entry: ModelEntry = registry.byId(r.model) ?? {
      ...r.modelInfo,
      id: r.model,
      task: r.task,
      note: '',
      dtype: r.modelInfo.dtype as ModelEntry['dtype'],
    };
    const location = await locateModel(entry, hub);
    if (location.where === 'unavailable') {
      lines.push({ verdict: 'missing', subject, detail: location.message, records: group.length });
      continue;
    }
    const now = await hashModelFiles(location.dir, entry.dtype);
    const differing = Object.entries(r.modelSource.files).filter(([file, hash]) => now[file] !== hash);
    lines.push(
      differing.length === 0
        ? {
            verdict: 'ok',
            subject,
            detail: `${Object.keys(r.modelSource.files).length} file(s) match ${location.dir}`,
            records: group.length,
          }
        : {
            verdict: 'differs',
            subject,
            detail: `${differing.map(([file]) => `${file} ${now[file] ? 'changed' : 'missing'}`).join(', ')} in ${location.dir}`,
            records: group.length,
          },
    );
  }
  return lines;
}

export async function runVerify(
  options: VerifyOptions,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  if (options.paths.length === 0)
    throw new UserError('verify needs record files or folders, e.g. npm run verify -- results/runs');
  const { records, warnings, files } = await readRecords(options.paths);
  for (const w of warnings) out(`warning: ${w}`);
  const ok = records.filter((r): r is OkRecord => r.status === 'ok');
  if (ok.length === 0)
    throw new UserError(`No finished records in ${options.paths.join(', ')} (${files.length} file(s) read)`);
  const hub = { ...resolveHubConfig(options), offline: true };
  const lines = [...(await verifyDatasets(ok, hub)), ...(await verifyModels(ok, hub, options.registry))];
  const tag: Record<Verdict, string> = { ok: 'ok     ', differs: 'DIFFERS', missing: 'missing' };
  for (const l of lines) out(`${tag[l.verdict]} ${l.subject} (${l.records} record(s)): ${l.detail}`);
  const differs = lines.filter((l) => l.verdict === 'differs').length;
  const missing = lines.filter((l) => l.verdict === 'missing').length;
  out(
    `\n${ok.length} record(s) checked: ${lines.length - differs - missing} input(s) match, ${differs} differ, ${missing} not available here to check.`,
  );
  return differs > 0 ? 1 : 0;
}
