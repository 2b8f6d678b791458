// What a run says about itself: exit codes, counts that agree between the progress and the
// summary, a resume command that works when pasted (from another folder, with another hub in
// the environment), and the small things a newcomer meets: --version, a models.json label
// mapping to a label the dataset does not have, an unreadable plan beside the others, an
// --import that does not exist.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cli,
  cliArgv,
  finished,
  hubDir,
  quickRun,
  repoRoot,
  resumePrefix,
  smallModel,
  startShell,
  tempDir,
} from './helpers/env.js';

const BOW = 'joulebench-fixtures/sentiment-bow-en';

/** A mirror with the mirror's datasets and a copy of sentiment-bow-en without its weights. */
function hubWithIncompleteModel(): { hub: string; complete: () => void } {
  const hub = tempDir();
  symlinkSync(join(hubDir, 'datasets'), join(hub, 'datasets'));
  const model = join(hub, 'models', BOW);
  mkdirSync(join(hub, 'models', 'joulebench-fixtures'), { recursive: true });
  cpSync(join(hubDir, 'models', BOW), model, { recursive: true, filter: (src) => !src.includes('/onnx') });
  return { hub, complete: () => cpSync(join(hubDir, 'models', BOW, 'onnx'), join(model, 'onnx'), { recursive: true }) };
}

/** models.json with one entry: sentiment-bow-en under an id only this file knows. */
function ownModelsFile(labels?: Record<string, string>): string {
  const registry = JSON.parse(readFileSync(join(repoRoot, 'models.json'), 'utf8')) as {
    models: { id: string; labels?: Record<string, string> }[];
  };
  const bow = registry.models.find((m) => m.id === BOW)!;
  const path = join(tempDir(), 'my models.json');
  writeFileSync(path, JSON.stringify({ models: [{ ...bow, id: 'mine/bow', ...(labels ? { labels } : {}) }] }));
  return path;
}

/** The words a shell makes of a pasted command line. */
function shellWords(command: string): string[] {
  const out = execFileSync('bash', ['-c', `eval "set -- $1"; printf '%s\\0' "$@"`, '_', command], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('exit codes and counts', () => {
  it('--version and -V print the version (exit 0); an unknown option is exit 2', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
    const bad = await cli(['bench', '--frobnicate']);
    expect(bad.status).toBe(2);
  });

  // `| true` reads nothing, so the first write already meets a closed pipe; `| head -1` closes it after a line.
  it.each(['head -1', 'true'])(
    '`joulebench list | %s`: a reader that stops early ends it quietly, exit 0',
    async (reader) => {
      const r = await finished(startShell(`set -o pipefail; "$@" | ${reader}`, { args: cliArgv(['list']) }));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(reader === 'true' ? '' : 'classification\n');
    },
  );

  it('incomplete model files are "failed" in progress and summary (exit 1); the pasted resume command runs them once fixed', async () => {
    const { hub, complete } = hubWithIncompleteModel();
    const modelsFile = ownModelsFile();
    const cache = tempDir();
    const out = join(tempDir(), 'my results');
    const r = await cli([
      'bench',
      '--task',
      'classification',
      ...quickRun,
      '--hub',
      hub,
      '--models-file',
      modelsFile,
      '--cache',
      cache,
      '--offline',
      '--out',
      out,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Run \S+: task classification, 0 model run\(s\) to do, 1 unavailable \(listed below\)/m);
    expect(r.stderr).toMatch(/^ {2}– mine\/bow: failed — model files incomplete in /m);
    // The estimate meter measures nothing: the summary says the models ran.
    expect(r.stderr).toMatch(/^0 model\(s\) ran, 0 skipped \(not available offline\), 1 failed\./m);
    expect(r.stdout).toBe('\nNo model produced a result.\n');
    const runId = readdirSync(join(out, 'runs'))[0]!.replace(/\.(jsonl|plan\.json)$/, '');
    const printed = /^Once the failed models are fixed, run them with: (.*)$/m.exec(r.stderr)?.[1];
    expect(printed).toBe(
      `${resumePrefix} ${runId} --out '${out}' --hub ${hub} --cache ${cache} --models-file '${modelsFile}' --offline`,
    );
    const command = printed!.replace(/^npm .*? run bench -- /, ''); // the flags, for main()

    complete();
    // Pasted elsewhere, in a shell whose JOULEBENCH_HUB points at an empty mirror: the flags carry the run.
    const elsewhere = tempDir();
    const cwd = process.cwd();
    process.chdir(elsewhere);
    try {
      const resumed = await cli(['bench', ...shellWords(command!)], { JOULEBENCH_HUB: tempDir() });
      expect(resumed.stderr).toContain(`Resuming ${runId}: task classification, 1 model run(s) to do`);
      expect(resumed.status).toBe(0);
      expect(resumed.stderr).toMatch(/^1 model\(s\) ran, 0 skipped \(not available offline\), 0 failed\./m);
    } finally {
      process.chdir(cwd);
    }
  });

  it('the printed resume command resumes pasted in another folder: hub, cache and offline from the environment become flags, relative paths absolute', async () => {
    const { hub, complete } = hubWithIncompleteModel();
    const modelsFile = ownModelsFile();
    const cache = tempDir();
    const here = tempDir(); // where the user typed the command: its paths are relative to it
    const env = { JOULEBENCH_HUB: relative(here, hub), JOULEBENCH_CACHE: relative(here, cache), HF_HUB_OFFLINE: '1' };
    const args = ['bench', '--task', 'classification', ...quickRun, '--run-id', 'pasted', '--out', 'my results'];
    const first = await finished(
      startShell('"$@"', { args: cliArgv([...args, '--models-file', relative(here, modelsFile)]), cwd: here, env }),
    );
    expect(first.status, first.stderr).toBe(1);
    const command = /^Once the failed models are fixed, run them with: (.*)$/m.exec(first.stderr)?.[1];
    expect(command).toBe(
      `${resumePrefix} pasted --out '${join(here, 'my results')}' --hub ${hub} --cache ${cache} ` +
        `--models-file '${modelsFile}' --offline`,
    );
    complete();
    // Another folder, another shell: its JOULEBENCH_HUB points at an empty mirror, no offline setting.
    const elsewhere = { JOULEBENCH_HUB: tempDir(), JOULEBENCH_CACHE: tempDir(), HF_HUB_OFFLINE: undefined };
    const resumed = await finished(startShell(command!, { cwd: tempDir(), env: elsewhere }));
    expect(resumed.stderr).toContain('Resuming pasted: task classification, 1 model run(s) to do');
    expect(resumed.stderr).toMatch(/^1 model\(s\) ran, 0 skipped \(not available offline\), 0 failed\./m);
    expect(resumed.status).toBe(0);
  });

  it('a resume that still finds a model unavailable counts it in the summary again, without a second line', async () => {
    const { hub } = hubWithIncompleteModel();
    const out = tempDir();
    const first = await cli([
      'bench',
      '--task',
      'classification',
      ...quickRun,
      '--hub',
      hub,
      '--offline',
      '--out',
      out,
    ]);
    expect(first.status).toBe(1);
    const again = await cli(['bench', '--resume', 'latest', '--hub', hub, '--offline', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^0 model\(s\) ran, 2 skipped \(not available offline\), 1 failed\./m);
    const file = readdirSync(join(out, 'runs')).find((f) => f.endsWith('.jsonl'))!;
    expect(
      readFileSync(join(out, 'runs', file), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(3);
  });
});

describe('before any model loads', () => {
  it('a label mapping to a label the dataset does not have is one line naming both', async () => {
    const modelsFile = ownModelsFile({ NEGATIVE: 'neg', POSITIVE: 'pos' });
    const out = tempDir();
    const r = await cli(['bench', '--task', 'classification', '--models-file', modelsFile, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^joulebench: Model mine\/bow maps label 'NEGATIVE' to 'neg', which stanfordnlp\/sst2 \(validation\) does not have \(its labels: negative, positive\); fix 'labels' in .*my models\.json$/m,
    );
    expect(r.stderr).not.toContain('loading model');
  });

  it('one unreadable plan file does not block --resume latest: it is skipped with a warning naming it', async () => {
    const out = tempDir();
    expect((await cli(['bench', ...smallModel, ...quickRun, '--run-id', 'good', '--out', out])).status).toBe(0);
    writeFileSync(join(out, 'runs', 'zz-broken.plan.json'), '{"planVersion": ');
    const r = await cli(['bench', '--resume', 'latest', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: skipping .*zz-broken\.plan\.json: .*not valid JSON/m);
    expect(r.stderr).toContain('Run good is complete: nothing left to run');
  });

  it('--import of a file that does not exist says "no such file"', async () => {
    const out = tempDir();
    const missing = join(tempDir(), 'text_generation.csv');
    const r = await cli(['leaderboard', '--import', missing, '--in', out, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`joulebench: Cannot import ${missing}: no such file`);
  });
});
