// Leaderboard as CSV (csv-stringify): one line per row, every metric in its own column.
import { stringify } from 'csv-stringify/sync';
import type { Leaderboard } from './aggregate.js';

export function renderCsv(board: Leaderboard): string {
  const metricNames = [...new Set(board.tasks.flatMap((t) => t.metrics.map((m) => m.name)))];
  const rows = board.tasks.flatMap((section) =>
    section.groups.flatMap((group) =>
      [...group.rows, ...group.fixtures].map((r) => ({
        task: section.task,
        rank: r.rank ?? '',
        model: r.model,
        kind: r.kind,
        parameters: r.parameters,
        dtype: r.dtype,
        hardware: group.hardware,
        device: group.device,
        meter: group.meter,
        energy_kind: group.energyKind,
        components: r.components,
        basis: 'gross',
        joules_per_1k_inferences: r.joulesPer1k.mean,
        joules_per_1k_inferences_sd: r.joulesPer1k.sd,
        kwh_per_1k_inferences: r.kWhPer1k,
        quality_metric: section.primaryMetric ?? '',
        quality: section.primaryMetric ? (r.quality[section.primaryMetric]?.mean ?? '') : '',
        ...Object.fromEntries(metricNames.map((m) => [m, r.quality[m]?.mean ?? ''])),
        joules_per_output_token: r.joulesPerOutputToken ?? '',
        latency_p50_ms: r.latencyP50Ms,
        throughput_inferences_per_s: r.throughput,
        batch_size: r.batchSize,
        threads: r.threads ?? '',
        inferences: r.inferences,
        repetitions: r.repetitions,
        dataset: section.dataset,
        run_ids: r.runIds.join(' '),
      })),
    ),
  );
  if (rows.length === 0) return '';
  return stringify(rows, { header: true });
}
