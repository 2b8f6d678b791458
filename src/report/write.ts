// Writes the chosen formats of a board into an output folder: each renderer's files, with the
// folders it owns emptied first. The report side's only file writes.
import { existsSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { createDir, removeCreatedDirs } from '../util/out-dir.js';
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
  const made: Made = { dirs: [], files: [] };
  try {
    for (const renderer of RENDERERS.filter((r) => formats.includes(r.name))) {
      const rendered = await renderer.render(board);
      await writeRendered(outDir, rendered, renderer.owns, made);
      paths[renderer.name] = join(outDir, renderer.file);
      Object.assign(files, rendered);
    }
  } catch (err) {
    // Leave --out as it was found: the files and folders this call added go again (the ones it
    // replaced are whole new versions, the rest untouched).
    for (const file of made.files) rmSync(file, { force: true });
    removeCreatedDirs(made.dirs);
    throw err;
  }
  return { paths, files };
}

/**
 * Writes one renderer's files, each whole (writeOutputFile). A folder the renderer owns (the
 * site's figures, rewritten each time) is written beside the old one and swapped in only once
 * complete: a full disk leaves the previous set whole.
 */
/** What a writeBoard call added to --out: removed again if it fails. */
interface Made {
  dirs: string[];
  files: string[];
}

async function writeRendered(
  outDir: string,
  rendered: Record<string, string>,
  owns: string | undefined,
  made: Made,
): Promise<void> {
  const owned = owns ? join(outDir, owns) : undefined;
  const staging = owned ? `${owned}.partial-${process.pid}` : undefined;
  try {
    for (const [file, text] of Object.entries(rendered)) {
      let path = join(outDir, file);
      if (owned && staging && path.startsWith(`${owned}/`)) path = join(staging, path.slice(owned.length + 1));
      made.dirs.push(...createDir(dirname(path))); // not a recursive mkdir: that hangs in /proc, says ENOENT on a read-only disk
      const added = !existsSync(path);
      await writeOutputFile(path, text);
      if (added && !path.startsWith(`${staging}/`)) made.files.push(path);
    }
    if (owned && staging) {
      await rm(owned, { recursive: true, force: true });
      if (existsSync(staging)) await rename(staging, owned);
    }
  } catch (err) {
    if (staging) await rm(staging, { recursive: true, force: true });
    throw err instanceof UserError ? err : outputWriteError(owned ?? outDir, err);
  }
}
