// The output formats: one renderer per format, one line each below. A renderer turns the Board
// into files (path relative to the output folder -> contents); `leaderboard` renders only the
// formats asked for and writes what they return.
import type { Board } from '../board.js';
import { csvRenderer } from './csv.js';
import { htmlRenderer } from './html.js';
import { jsonRenderer } from './json.js';
import { markdownRenderer } from './markdown.js';

export interface Renderer {
  /** The --format name. */
  name: string;
  /** The main file it writes, relative to the output folder. */
  file: string;
  /** A folder the renderer owns whole: emptied before writing, so nothing stale lingers. */
  owns?: string;
  render(board: Board): Record<string, string> | Promise<Record<string, string>>;
}

export const RENDERERS: readonly Renderer[] = [htmlRenderer, markdownRenderer, csvRenderer, jsonRenderer];

export const FORMATS = RENDERERS.map((r) => r.name);
