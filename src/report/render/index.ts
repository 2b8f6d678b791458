// The output formats: one renderer per format, one line each below. A renderer turns the Board
// into files (path relative to the output folder -> contents); `leaderboard` renders only the
// formats asked for and writes what they return.
import { csvRenderer } from './csv.js';
import { htmlRenderer } from './html.js';
import { jsonRenderer } from './json.js';
import { markdownRenderer } from './markdown.js';
import type { Renderer } from './renderer.js';

export type { Renderer } from './renderer.js';

export const RENDERERS: readonly Renderer[] = [htmlRenderer, markdownRenderer, csvRenderer, jsonRenderer];

export const FORMATS = RENDERERS.map((r) => r.name);
