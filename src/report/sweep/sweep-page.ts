// The site's sweep page (site/sweeps.html): a section per sweep, and per model its frontier
// chart (inline SVG, also under figures/) and its table of configurations with the chosen ones
// marked. Self-contained like index.html: the same stylesheet, nothing fetched.
import { renderSvg } from '../render/charts.js';
import { SITE_CSS } from '../render/site-assets.js';
import { statusOf, sweepChartSpec } from './sweep-chart.js';
import { sweepColumns } from './sweep-columns.js';
import type { SweepModel, SweepReport } from './sweep-report.js';
import { axesText, choiceText, energyText, skippedLines } from './sweep-tables.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const EST = '<span class="est" title="estimated (not measured)">est.</span>';
const FIXTURE = '<span class="badge fixture">fixture · not citable</span>';
const slug = (s: string) => s.replace(/[^a-z0-9-]+/gi, '-');

/** The file name (under figures/) of a model's chart in a sweep. */
function sweepFigureName(report: SweepReport, model: SweepModel): string {
  return `sweep-${slug(report.id)}-${slug(model.model)}`;
}

function modelSection(report: SweepReport, model: SweepModel, svg: string): string {
  const est = report.energyKind === 'estimated' ? EST : '';
  const columns = sweepColumns(model);
  const rows = model.points
    .map((p) => {
      const cells = columns.map((c) => {
        const text = c.cell(model, p);
        const mark = c.model && p.kind === 'fixture' ? FIXTURE : c.energy && text !== '—' ? est : '';
        return `<td class="${c.align}${c.energy ? ' col-energy' : ''}">${esc(text)}${mark}</td>`;
      });
      const status = statusOf(model, p);
      const chosen = status.includes('energy-optimal') ? ` data-chosen="${esc(status)}" class="chosen"` : '';
      return `<tr data-config="${esc(p.label)}"${chosen}>${cells.join('')}</tr>`;
    })
    .join('\n');
  const head = columns.map((c) => `<th scope="col">${esc(c.header(report))}</th>`).join('');
  const choices = choiceText(model, report.sweep.latencyBudgetMs)
    .map((c) => `<p class="choice">${esc(c)}</p>`)
    .join('\n');
  const name = sweepFigureName(report, model);
  return `<div class="sweep-model" data-model="${esc(model.model)}">
<h3>${esc(model.model)}</h3>
<figure id="fig-${esc(name)}" data-figure="${esc(name)}">
${svg}
<figcaption>One point per configuration; dashed: the Pareto frontier of J/1k against p95 latency (no other configuration is both cheaper and faster); large diamonds: the chosen configurations. <a href="figures/${esc(name)}.svg">SVG</a></figcaption>
</figure>
${choices}
<div class="table-wrap"><table class="board"><thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
</div>`;
}

async function sweepSection(report: SweepReport, svgs: Map<SweepModel, string>): Promise<string> {
  const skipped =
    report.skipped.length > 0
      ? `<h3>Skipped configurations</h3><ul class="notes">${skippedLines(report.skipped)
          .map((line) => `<li>${esc(line)}</li>`)
          .join('')}</ul>`
      : '';
  const flag =
    report.energyKind === 'estimated'
      ? '<strong class="flag-est">Estimated, not measured.</strong>'
      : '<strong class="flag-measured">Measured.</strong>';
  return `<section class="sweep" id="sweep-${esc(slug(report.id))}" data-sweep="${esc(report.id)}">
<h2>Sweep ${esc(report.id)}: ${esc(report.task)}</h2>
<p class="boundary">${flag} ${esc(report.hardware)} · ${esc(report.dataset)}. Axes: ${esc(axesText(report.sweep.axes))}. Energy: ${esc(energyText(report))}. Latency: p95 of one pipeline call (at batch size &gt; 1 the whole batch, which every request in it waits for).</p>
${report.models.map((m) => modelSection(report, m, svgs.get(m)!)).join('\n')}
${skipped}
<p class="muted">Records: ${esc(report.runs.join(', '))}.</p>
</section>`;
}

/** site/sweeps.html and its figures, for these sweeps. */
export async function renderSweepSite(reports: readonly SweepReport[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const svgs = new Map<SweepModel, string>();
  for (const report of reports) {
    for (const model of report.models) {
      const name = sweepFigureName(report, model);
      const svg = await renderSvg(sweepChartSpec(report, model), name);
      svgs.set(model, svg);
      files[`site/figures/${name}.svg`] = svg;
    }
  }
  const sections = await Promise.all(reports.map((r) => sweepSection(r, svgs)));
  files['site/sweeps.html'] = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>joulebench configuration sweeps</title>
<style>${SITE_CSS}
tr.chosen td { font-weight: 600; background: #fff4e5; }
.choice { margin: .2rem 0; }</style>
</head>
<body>
<header>
<h1>Configuration sweeps</h1>
<p class="meta">Each sweep ran one task's models over the cross product of its configurations as one run. Per model: the Pareto frontier of energy per 1,000 inferences against p95 latency per call, and the energy-optimal configuration, overall and within the sweep's latency budget. Configurations are compared only within one sweep, model, machine and meter.</p>
<nav><a href="index.html">leaderboard</a>${reports.map((r) => `<a href="#sweep-${esc(slug(r.id))}">${esc(r.id)}</a>`).join('')}</nav>
</header>
<main>
${sections.length > 0 ? sections.join('\n') : '<p>No configuration sweeps in these records (<code>npm run sweep</code> makes them).</p>'}
</main>
<footer>Made by joulebench from its result records. Figures say where they come from: the meter, and whether they were measured or estimated.</footer>
</body>
</html>
`;
  return files;
}
