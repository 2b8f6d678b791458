// The layout the README's Architecture section describes, checked: no import cycle anywhere in
// src/ or tasks/, tasks that see only the task API and the metrics, a src/ root kept small,
// and no two modules with the same file name (index.ts, a folder's entry point, aside).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/env.js';

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

const files = [...sources('src'), ...sources('tasks')];

/** Relative imports of a module (static, re-exports, type-only and dynamic), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gms),
  ].map((m) => m[1] ?? m[2]!);
  return specifiers
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(repoRoot, resolve(repoRoot, dirname(file), s)).replace(/\.js$/, '.ts'));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every cycle found by depth-first search, each as the path that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const f of files) visit(f, []);
  return found;
}

describe('architecture', () => {
  it('resolves every relative import to a module that exists', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${file} -> ${d}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle in src/ or tasks/', () => {
    expect(cycles().map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    graph.set('tasks/index.ts', [...graph.get('tasks/index.ts')!, 'src/report/board.ts']);
    try {
      expect(cycles().length).toBeGreaterThan(0);
    } finally {
      graph.set('tasks/index.ts', importsOf('tasks/index.ts'));
    }
  });

  it('lets tasks see only the task API and the metrics', () => {
    const tasks = files.filter((f) => f.startsWith('tasks/') && f !== 'tasks/index.ts');
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const task of tasks) {
      for (const dep of graph.get(task)!)
        expect(dep, `${task} imports ${dep}`).toMatch(/^src\/(task-api\.ts|metrics\/[\w-]+\.ts)$/);
    }
  });

  it('keeps at most 8 files directly in src/, the rest in folders named for the stages', () => {
    const top = files.filter((f) => dirname(f) === 'src');
    expect(top.length).toBeLessThanOrEqual(8);
    const folders = new Set(
      files.filter((f) => f.startsWith('src/') && dirname(f) !== 'src').map((f) => f.split('/')[1]),
    );
    expect([...folders].sort()).toEqual([
      'cli',
      'datasets',
      'meters',
      'metrics',
      'model',
      'records',
      'report',
      'run',
      'schema',
      'util',
    ]);
  });

  it('gives no two modules the same file name', () => {
    const byName = new Map<string, string[]>();
    for (const f of files)
      if (basename(f) !== 'index.ts') byName.set(basename(f), [...(byName.get(basename(f)) ?? []), f]);
    expect([...byName.values()].filter((fs) => fs.length > 1)).toEqual([]);
  });
});
