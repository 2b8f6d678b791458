// Writes the chosen formats of a board into an output folder: each renderer's files, with the
// folders it owns emptied first. The report side's only file writes.
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { createDir } from '../util/out-dir.js';
import { outputWriteError, writeOutputFile } from '../util/output-file.js';
import type { Board } from './board.js';
import { FORMATS, RENDERERS } from './render/index.js';

/** "html,md" → ['html', 'md']; an unknown name is a UserError listing the valid ones. */
export function parseFormats(list: string): string[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.filter((n) => !FORMATS.includes(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UserError(
      `Unknown --format '${bad.join(',') || list}'. Valid formats: ${FORMATS.join(', ')} (comma-separated)`,
    );
  }
  return [...new Set(names)];
}

/**
 * Renders and writes each format into `outDir` (checked beforehand with checkWritableDir); returns
 * format -> the path of its main file, and the rendered files.
 */
export async function writeBoard(
  board: Board,
  formats: readonly string[],
  outDir: string,
): Promise<{ paths: Record<string, string>; files: Record<string, string> }> {
  const paths: Record<string, string> = {};
  const files: Record<string, string> = {};
  for (const renderer of RENDERERS.filter((r) => formats.includes(r.name))) {
    const rendered = await renderer.render(board);
    try {
      if (renderer.owns) await rm(join(outDir, renderer.owns), { recursive: true, force: true });
    } catch (err) {
      throw outputWriteError(join(outDir, renderer.owns!), err);
    }
    for (const [file, text] of Object.entries(rendered)) {
      const path = join(outDir, file);
      createDir(dirname(path)); // not a recursive mkdir: that hangs in /proc, says ENOENT on a read-only disk
      await writeOutputFile(path, text);
    }
    paths[renderer.name] = join(outDir, renderer.file);
    Object.assign(files, rendered);
  }
  return { paths, files };
}
