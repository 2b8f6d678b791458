// The leaderboard as one self-contained HTML page: a section per task, a sortable table per
// group, star ratings with the rule printed under each table, and the figures as inline SVG.
// Estimated figures carry a visible "est." mark in every energy cell; fixtures a "not citable" badge.
import { rowLabel, type Board, type BoardGroup, type BoardRow, type BoardTask } from '../board.js';
import {
  MARKS,
  finiteOrNull,
  markLegend,
  params,
  partlyMeasured,
  qualityNumber,
  rankText,
  sig,
  varies,
  withCi,
} from '../format.js';
import { describeRule, starString } from '../stars.js';
import type { Figure } from './charts.js';
import {
  GENERATIVE_TITLES,
  generativeLegend,
  hasGenerativeColumns,
  perResponseText,
  perTokenText,
  splitText,
  tpotText,
  ttftText,
} from './generation-cells.js';
import { renderCsv } from './csv.js';
import type { Renderer } from './renderer.js';
import { renderJson } from './json.js';
import { SITE_CSS, SORT_SCRIPT } from './site-assets.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const EST = '<span class="est" title="estimated (not measured)">est.</span>';

interface Column {
  /** CSS class of the column's cells. */
  key: string;
  title: string;
  /** Tooltip of the header. */
  hint?: string;
  type: 'num' | 'text';
  cell(row: BoardRow, group: BoardGroup, task: BoardTask): { html: string; sort: string | number | null };
}

const n = finiteOrNull;

function energyHtml(value: string, group: BoardGroup): string {
  return group.energyKind === 'estimated' ? `${value}${EST}` : value;
}

function columns(board: Board, task: BoardTask): Column[] {
  const q = task.quality;
  return [
    {
      key: 'rank',
      title: '#',
      hint: 'rank by energy within the group; =n: no significant difference from a neighbour (Welch t-test, α = 0.05)',
      type: 'num',
      cell: (row) => ({ html: rankText(row), sort: row.rank }),
    },
    {
      key: 'stars',
      title: 'Stars',
      type: 'num',
      cell: (row, group) => {
        if (row.kind === 'fixture') return { html: '<span class="not-rated">not rated</span>', sort: null };
        if (row.stars === null) return { html: '<span class="not-rated">—</span>', sort: null };
        const html = `<span class="stars" aria-label="${row.stars} of 5 stars">${starString(row.stars)}</span>`;
        return { html: energyHtml(html, group), sort: row.stars };
      },
    },
    {
      key: 'model',
      title: 'Model',
      type: 'text',
      cell: (row) => {
        const badge = row.kind === 'fixture' ? '<span class="badge fixture">fixture · not citable</span>' : '';
        const dtype = row.dtype ? ` <span class="muted">${esc(row.dtype)}</span>` : '';
        return { html: `${esc(rowLabel(row))}${dtype}${badge}`, sort: rowLabel(row).toLowerCase() };
      },
    },
    {
      key: 'params',
      title: 'Params',
      type: 'num',
      cell: (row) => ({ html: row.parameters === null ? '—' : params(row.parameters), sort: n(row.parameters) }),
    },
    {
      key: 'energy',
      title: 'J / 1k inferences [95% CI]',
      hint: 'mean over repetitions with its 95% confidence interval (Student t); under 3 repetitions: no CI',
      type: 'num',
      cell: (row, group) => {
        const text = group.origin === 'import' ? sig(row.joulesPer1k.mean) : withCi(row.joulesPer1k);
        const marks = [
          row.shortWindow
            ? `<span class="mark" title="${esc(MARKS.shortWindow.text)}">${MARKS.shortWindow.sign}</span>`
            : '',
          row.crossCheckFlagged
            ? `<span class="mark" title="${esc(MARKS.crossCheck.text)}">${MARKS.crossCheck.sign}</span>`
            : '',
        ].join('');
        return { html: energyHtml(`${esc(text)}${marks}`, group), sort: n(row.joulesPer1k.mean) };
      },
    },
    {
      key: 'energy',
      title: 'kWh / 1k',
      type: 'num',
      cell: (row, group) => ({ html: energyHtml(sig(row.kWhPer1k), group), sort: n(row.kWhPer1k) }),
    },
    {
      key: 'energy',
      title: 'gCO2e / 1k',
      hint: `energy × ${sig(board.carbon.gPerKWh)} gCO2e/kWh (${board.carbon.source})`,
      type: 'num',
      cell: (row, group) => ({ html: energyHtml(sig(row.gCO2ePer1k), group), sort: n(row.gCO2ePer1k) }),
    },
    {
      key: 'quality',
      title: q ? `${q.label} ${q.higherIsBetter ? '↑' : '↓'}` : 'Quality',
      type: 'num',
      cell: (row) => {
        if (!row.quality) return { html: '—', sort: null };
        const { mean, sd } = row.quality;
        const text = row.quality.n > 1 && varies(mean, sd) ? withCi(row.quality, qualityNumber) : qualityNumber(mean);
        return row.kind === 'fixture'
          ? { html: `${text} <span class="muted">(meaningless)</span>`, sort: null }
          : { html: text, sort: row.quality.mean };
      },
    },
    ...(task.groups.some((g) => hasGenerativeColumns(g.rows)) ? generativeColumns() : []),
    {
      key: 'latency',
      title: 'Latency p50 (ms)',
      type: 'num',
      cell: (row) => ({ html: row.latencyP50Ms === null ? '—' : sig(row.latencyP50Ms), sort: n(row.latencyP50Ms) }),
    },
    {
      key: 'throughput',
      title: 'Throughput (inf/s)',
      type: 'num',
      cell: (row) => ({ html: row.throughput === null ? '—' : sig(row.throughput), sort: n(row.throughput) }),
    },
    {
      key: 'meter',
      title: 'Meter',
      type: 'text',
      cell: (_row, group) => {
        const kind =
          group.energyKind === 'estimated'
            ? '<span class="flag-est">estimated</span>'
            : '<span class="flag-measured">measured</span>';
        return {
          html: `${esc(group.meter)} · ${kind} <span class="muted">(${esc(group.components)})</span>`,
          sort: `${group.meter} ${group.energyKind}`,
        };
      },
    },
    {
      key: 'hardware',
      title: 'Hardware',
      type: 'text',
      cell: (_row, group) => ({ html: esc(group.hardware), sort: group.hardware }),
    },
  ];
}

/**
 * A generative task's columns: J per response beside J per token, TTFT, TPOT, prefill / decode
 * (derived). The energy ones carry the "est." mark as every estimated energy figure does.
 */
function generativeColumns(): Column[] {
  const column = (
    key: string,
    title: string,
    energy: boolean,
    text: (row: BoardRow) => string,
    sort: (row: BoardRow) => number | null,
  ): Column => ({
    key,
    title,
    type: 'num',
    cell: (row, group) => {
      const value = text(row);
      return { html: energy && value !== '—' ? energyHtml(esc(value), group) : esc(value), sort: n(sort(row)) };
    },
  });
  return [
    column('per-response', GENERATIVE_TITLES.perResponse, true, perResponseText, (r) => r.joulesPerResponse),
    column('per-token', GENERATIVE_TITLES.perToken, true, perTokenText, (r) => r.joulesPerOutputToken),
    column('ttft', GENERATIVE_TITLES.ttft, false, ttftText, (r) => r.generation?.ttftMs.p50 ?? null),
    column('tpot', GENERATIVE_TITLES.tpot, false, tpotText, (r) => r.generation?.tpotMs?.p50 ?? null),
    column('split', GENERATIVE_TITLES.split, true, splitText, (r) => r.split?.prefillPer1k.mean ?? null),
  ];
}

function groupTable(board: Board, task: BoardTask, group: BoardGroup): string {
  const cols = columns(board, task);
  const head = cols
    .map((c) => {
      const hint = c.hint ? ` title="${esc(c.hint)}"` : '';
      return `<th scope="col" class="${c.type} col-${c.key}" data-type="${c.type}" aria-sort="none"${hint}><button type="button">${esc(c.title)}</button></th>`;
    })
    .join('');
  const body = group.rows
    .map((row) => {
      const classes = [group.energyKind, row.kind === 'fixture' ? 'fixture' : ''].filter(Boolean).join(' ');
      const cells = cols
        .map((c) => {
          const { html, sort } = c.cell(row, group, task);
          const sortAttr = sort === null ? '' : ` data-sort="${esc(String(sort))}"`;
          return `<td class="${c.type} col-${c.key}"${sortAttr}>${html}</td>`;
        })
        .join('');
      return `<tr class="${classes}" data-model="${esc(row.model)}" data-energy-kind="${group.energyKind}" data-kind="${row.kind}">${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="board sortable"><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

function groupSection(board: Board, task: BoardTask, group: BoardGroup): string {
  const origin = group.origin === 'import' ? '<span class="badge imported">published leaderboard</span>' : '';
  const cls = group.class ? ` · class ${esc(group.class)}` : '';
  const flag =
    group.energyKind === 'estimated'
      ? `<strong class="flag-est">${partlyMeasured(group.meterParts) ? 'Partly estimated.' : 'Estimated, not measured.'}</strong> `
      : `<strong class="flag-measured">Measured.</strong> `;
  const notes =
    group.notes.length > 0
      ? `<ul class="notes">${group.notes.map((note) => `<li>${esc(note)}</li>`).join('')}</ul>`
      : '';
  return `<div class="group" id="group-${esc(group.id)}" data-origin="${group.origin}" data-energy-kind="${group.energyKind}">
<h3>${esc(group.hardware)}${group.device ? ` · device ${esc(group.device)}` : ''}${group.dataset ? ` · ${esc(group.dataset)}` : ''}${group.differsBy ? ` · ${esc(group.differsBy)}` : ''} · ${esc(group.source)}${cls}${origin}</h3>
<p class="boundary">${flag}${esc(group.boundary)}.${group.setup ? ` <span class="muted">${esc(group.setup)}.</span>` : ''}</p>
${groupTable(board, task, group)}
${[...markLegend(group.rows), ...generativeLegend(group.rows)]
  .map((l) => `<p class="mark-legend">${esc(l)}</p>`)
  .join('\n')}
<p class="stars-rule">${esc(group.starsRule)}</p>
${notes}
</div>`;
}

function figureHtml(figure: Figure): string {
  return `<figure id="fig-${esc(figure.name)}" data-figure="${esc(figure.name)}">
${figure.svg}
<figcaption><strong>${esc(figure.title)}.</strong> ${esc(figure.caption)} <a href="figures/${esc(figure.name)}.svg">SVG</a></figcaption>
</figure>`;
}

function taskSection(board: Board, task: BoardTask, figures: readonly Figure[]): string {
  const metric = task.quality
    ? `Quality: ${esc(task.quality.label)} (${task.quality.higherIsBetter ? 'higher' : 'lower'} is better).`
    : 'No quality metric for this task yet.';
  const dataset = task.dataset ? `Dataset: ${esc(task.dataset)}. ` : '';
  const notMeasured =
    task.notMeasured.length > 0
      ? `<p class="muted">Registered but not measured in these records: ${task.notMeasured.map((m) => `${esc(m.model)} (${m.status}: ${esc(m.reason)})`).join('; ')}.</p>`
      : '';
  const groups =
    task.groups.length > 0
      ? task.groups.map((g) => groupSection(board, task, g)).join('\n')
      : '<p>No finished measurements for this task.</p>';
  return `<section class="task" id="task-${esc(task.task)}" data-task="${esc(task.task)}">
<h2>${esc(task.task)}</h2>
<p>${dataset}${metric}</p>
${groups}
${notMeasured}
${figures
  .filter((f) => f.task === task.task)
  .map(figureHtml)
  .join('\n')}
</section>`;
}

function renderHtml(board: Board, figures: readonly Figure[]): string {
  const overall = figures.filter((f) => f.task === null);
  const nav = board.tasks.map((t) => `<a href="#task-${esc(t.task)}">${esc(t.task)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>joulebench leaderboard</title>
<style>${SITE_CSS}</style>
</head>
<body>
<header>
<h1>joulebench leaderboard</h1>
<p class="meta">Generated ${board.generatedAt.toISOString().slice(0, 10)} from ${board.recordCount} record(s). Energy per 1,000 inferences, lower is better: the mean over repetitions with its 95% confidence interval [low, high] (Student t; under 3 repetitions there is none). Models are compared only within one task and one group (same hardware, meter, data and settings); a rank marked = is a tie: the difference from its neighbour is not significant (Welch's t-test, α = 0.05).</p>
<dl class="key">
<dt><span class="est">est.</span> / hollow marks</dt><dd>Estimated, not measured: the figure comes from a model of power (e.g. CPU time × TDP), not from a sensor.</dd>
<dt><span class="badge fixture">fixture · not citable</span></dt><dd>Plumbing fixture (random or toy weights): never rated, its quality means nothing; never cite it.</dd>
<dt>Stars</dt><dd>1–5, more stars = less energy, within a task and group only (never compare stars across groups). Rule in force: ${esc(describeRule(board.starRule))}. A lone model gets no stars.</dd>
<dt>gCO2e</dt><dd>Energy × ${sig(board.carbon.gPerKWh)} gCO2e/kWh (${esc(board.carbon.source)}). An estimate for every row, even where the energy was measured.</dd>
<dt>Published leaderboards</dt><dd>Imported rows keep their published energy (converted to joules only) and their own energy boundary; joulebench computes their stars itself with the rule above.</dd>
</dl>
<nav>${nav}<a href="#figures">figures</a>${board.sweeps.length > 0 ? '<a href="sweeps.html">sweeps</a>' : ''}<a href="leaderboard.json">JSON</a><a href="leaderboard.csv">CSV</a></nav>
</header>
<main>
${board.tasks.map((t) => taskSection(board, t, figures)).join('\n')}
<section id="figures">
<h2>Figures</h2>
<div class="figures">
${overall.map(figureHtml).join('\n')}
</div>
</section>
</main>
<footer>Made by joulebench from its result records. Figures say where they come from: the meter, the components it covers, and whether they were measured or estimated.</footer>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The static site: site/index.html (self-contained: inline CSS, script and SVG figures),
 * site/figures/*.svg, and the data behind it (leaderboard.json, leaderboard.csv) next to it.
 */
export const htmlRenderer: Renderer = {
  name: 'html',
  file: 'site/index.html',
  // Figures of tasks that are gone from the records must not linger in a published folder.
  owns: 'site/figures',
  async render(board) {
    // Vega loads only when a page is rendered: it is most of the report side's start-up time.
    const figures = await (await import('./charts.js')).renderFigures(board);
    // Written even without sweeps (saying so), so a page from earlier records never lingers.
    const sweeps = await (await import('../sweep/sweep-page.js')).renderSweepSite(board.sweeps);
    return {
      ...sweeps,
      ...Object.fromEntries(figures.map((f) => [`site/figures/${f.name}.svg`, f.svg])),
      'site/leaderboard.json': renderJson(board),
      'site/leaderboard.csv': renderCsv(board),
      'site/index.html': renderHtml(board, figures),
    };
  },
};
