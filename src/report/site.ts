// Writes the static site: index.html (self-contained: inline CSS, script and SVG figures),
// figures/*.svg, and the data behind it (leaderboard.json, leaderboard.csv) next to it.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderFigures } from './charts.js';
import { renderHtml } from './html.js';
import type { PublishedBoard } from './publish.js';

export interface SiteFiles {
  index: string;
  figures: string[];
}

export async function writeSite(dir: string, board: PublishedBoard, data: { json: string; csv: string }): Promise<SiteFiles> {
  const figures = await renderFigures(board);
  const figuresDir = join(dir, 'figures');
  // Figures of tasks that are gone from the records must not linger in a published folder.
  await rm(figuresDir, { recursive: true, force: true });
  await mkdir(figuresDir, { recursive: true });
  const figurePaths: string[] = [];
  for (const f of figures) {
    const path = join(figuresDir, `${f.name}.svg`);
    await writeFile(path, f.svg);
    figurePaths.push(path);
  }
  await writeFile(join(dir, 'leaderboard.json'), data.json);
  await writeFile(join(dir, 'leaderboard.csv'), data.csv);
  const index = join(dir, 'index.html');
  await writeFile(index, renderHtml(board, figures));
  return { index, figures: figurePaths };
}
