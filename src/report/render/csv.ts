// Leaderboard as CSV (csv-stringify): one line per row, every metric in its own column, with
// the row's source, energy kind and stars, so a line read on its own still says what it is.
import { stringify } from 'csv-stringify/sync';
import type { Board } from '../board.js';
import type { Renderer } from './renderer.js';

export function renderCsv(board: Board): string {
  const metricNames = [
    ...new Set(board.tasks.flatMap((t) => t.groups.flatMap((g) => g.rows.flatMap((r) => Object.keys(r.metrics))))),
  ];
  const rows = board.tasks.flatMap((section) =>
    section.groups.flatMap((group) =>
      group.rows.map((r) => ({
        task: section.task,
        rank: r.rank ?? '',
        model: r.model,
        variant: r.variant ?? '',
        kind: r.kind,
        citable: r.kind === 'fixture' ? 'no' : 'yes',
        parameters: r.parameters ?? '',
        dtype: r.dtype ?? '',
        source: group.source,
        class: group.class ?? '',
        hardware: group.hardware,
        device: group.device ?? '',
        meter: group.meter,
        energy_kind: group.energyKind,
        components: group.components,
        basis: group.basis,
        joules_per_1k_inferences: r.joulesPer1k.mean,
        joules_per_1k_inferences_sd: group.origin === 'import' ? '' : r.joulesPer1k.sd,
        ci95_low: r.joulesPer1k.ci95?.low ?? '',
        ci95_high: r.joulesPer1k.ci95?.high ?? '',
        cv: group.origin === 'import' ? '' : r.joulesPer1k.cv,
        n: group.origin === 'import' ? '' : r.joulesPer1k.n,
        tied: r.tied ? 'yes' : 'no',
        drift: r.drift ? 'yes' : 'no',
        short_window: r.shortWindow ? 'yes' : 'no',
        cross_check_flagged: r.crossCheckFlagged ? 'yes' : 'no',
        contention: r.contention ? 'yes' : 'no',
        ci_target_missed: r.ciTargetMissed ? 'yes' : 'no',
        kwh_per_1k_inferences: r.kWhPer1k,
        gco2e_per_1k_inferences: r.gCO2ePer1k,
        carbon_intensity_g_per_kwh: board.carbon.gPerKWh,
        carbon_intensity_source: board.carbon.source,
        stars: r.stars ?? '',
        stars_rule: board.starRule,
        quality_metric: r.quality?.metric ?? '',
        quality: r.quality?.mean ?? '',
        quality_ci95_low: r.quality?.ci95?.low ?? '',
        quality_ci95_high: r.quality?.ci95?.high ?? '',
        quality_n: r.quality?.n ?? '',
        ...Object.fromEntries(metricNames.map((m) => [m, r.metrics[m]?.mean ?? ''])),
        joules_per_output_token: r.joulesPerOutputToken ?? '',
        joules_per_response: r.joulesPerResponse ?? '',
        ttft_p50_ms: r.generation?.ttftMs.p50 ?? '',
        ttft_p95_ms: r.generation?.ttftMs.p95 ?? '',
        tpot_p50_ms: r.generation?.tpotMs?.p50 ?? '',
        tpot_p95_ms: r.generation?.tpotMs?.p95 ?? '',
        ttft_tpot_per: r.generation?.per ?? '',
        prefill_joules_per_1k_derived: r.split?.prefillPer1k.mean ?? '',
        decode_joules_per_1k_derived: r.split?.decodePer1k?.mean ?? '',
        decode_joules_per_output_token_derived: r.split?.decodePerToken ?? '',
        split_resolved: r.split ? (r.split.resolved ? 'yes' : 'no') : '',
        latency_p50_ms: r.latencyP50Ms ?? '',
        throughput_inferences_per_s: r.throughput ?? '',
        batch_size: r.batchSize ?? '',
        threads: group.origin === 'import' ? '' : (r.threads ?? 'default'),
        inferences: r.inferences ?? '',
        samples: r.samples ?? '',
        repetitions: r.repetitions ?? '',
        dataset: group.dataset ?? '',
        provenance: r.provenance.join(' '),
        warnings: r.warnings.join(' | '),
      })),
    ),
  );
  if (rows.length === 0) return '';
  return stringify(rows, { header: true });
}

export const csvRenderer: Renderer = {
  name: 'csv',
  file: 'leaderboard.csv',
  render: (board) => ({ 'leaderboard.csv': renderCsv(board) }),
};
