// Every user mistake ends with one clear line on stderr, a non-zero exit and no stack trace,
// before any model runs.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, hubDir, tempDir, type CliResult } from './helpers/env.js';

function expectUserError(r: CliResult, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  // One line: besides the meter's fallback warning and notes on the data, the error is all stderr says.
  const lines = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('WARNING: no energy sensor') && !l.startsWith('Note: '));
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stderr).not.toContain('loading model');
}

describe('bad input', () => {
  it('unknown task: names it, suggests, lists the valid ones', async () => {
    const r = await cli(['bench', '--task', 'sumarization']);
    const valid =
      'classification, generation, summarization, question-answering, fill-mask, token-classification, image-classification';
    expectUserError(
      r,
      new RegExp(
        `^joulebench: Unknown task 'sumarization'\\. Did you mean: summarization\\? Valid tasks: ${valid}$`,
        'm',
      ),
    );
  });

  it('unknown model: names it and lists the models of the task', async () => {
    const r = await cli(['bench', '--task', 'generation', '--model', 'gpt-5']);
    expectUserError(r, /^joulebench: Unknown model 'gpt-5'\..*Valid models: .*karpathy\/stories260K/m);
  });

  it('malformed models.json: the schema error with entry and field', async () => {
    const path = join(tempDir(), 'models.json');
    writeFileSync(
      path,
      JSON.stringify({
        models: [
          {
            id: 'a/b',
            task: 'generation',
            hfId: 'a/b',
            dtype: 'fp32',
            parameters: -1,
            licence: 'x',
            kind: 'pretrained',
            note: 'x',
          },
        ],
      }),
    );
    const r = await cli(['bench', '--task', 'generation', '--models-file', path]);
    expectUserError(
      r,
      /^joulebench: Invalid model registry .*models\.json: entry 1 \(id 'a\/b'\), field 'parameters': Too small/m,
    );
  });

  it.each([
    [['--samples', '0'], /--samples <n>' argument '0' is invalid\. expected an integer from 1 to 1000000/],
    [['--samples', 'many'], /--samples <n>' argument 'many' is invalid/],
    [['--batch-size', '1.5'], /--batch-size <n>' argument '1.5' is invalid/],
    [['--cpu-watts', '-3'], /--cpu-watts <W>' argument '-3' is invalid\. expected a positive number/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ])('invalid flag %j', async (flags, pattern) => {
    expectUserError(await cli(['bench', '--task', 'generation', ...flags]), pattern);
  });

  it.each([
    [['bench', '--task', 'generation', '--sampels', '3'], "unknown option '--sampels' (did you mean --samples?)"],
    [['benchh', '--task', 'generation'], "unknown command 'benchh' (did you mean bench?)"],
    [
      ['leaderboard', '--rank-by', 'joules'],
      "option '--rank-by <basis>' argument 'joules' is invalid. expected one of net, gross, auto, got 'joules'",
    ],
  ])('a mistyped command line %j is one line, exit 2', async (args, message) => {
    const r = await cli(args);
    expect(r.stderr).toBe(`joulebench: ${message}\n`);
    expect(r.status).toBe(2);
  });

  it('missing --task', async () => {
    expectUserError(
      await cli(['bench']),
      /^joulebench: Give --task <name> or --suite <name> \(or --resume <run-id>\)$/m,
    );
  });

  it('unknown meter', async () => {
    expectUserError(
      await cli(['bench', '--task', 'generation', '--meter', 'rapel']),
      /^joulebench: Unknown meter 'rapel'\. .*Valid meters: auto, estimate/m,
    );
  });

  it('unwritable --out is reported before any model runs', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const r = await cli(['bench', '--task', 'classification', '--out', join(file, 'results')]);
    expectUserError(
      r,
      new RegExp(`^joulebench: Cannot write results to ${file}/results/runs: ${file} is not a folder$`, 'm'),
    );
  });

  it('a --hub that does not exist', async () => {
    const r = await cli(['bench', '--task', 'classification', '--hub', '/nonexistent/hub']);
    expectUserError(r, /^joulebench: --hub \/nonexistent\/hub: no such directory/m);
  });

  it('dataset offline: where it looked and how to provide it', async () => {
    const empty = tempDir();
    const r = await cli(['bench', '--task', 'summarization', '--hub', empty, '--offline']);
    expectUserError(
      r,
      new RegExp(
        `^joulebench: Dataset EdinburghNLP/xsum \\(test\\) is not available offline \\(looked in ${empty}/datasets/EdinburghNLP/xsum/test.jsonl, .*\\). Provide it with --hub DIR or JOULEBENCH_HUB=DIR`,
        'm',
      ),
    );
  });

  it('dataset row without the expected field: names the field and the row', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'datasets', 'stanfordnlp', 'sst2'), { recursive: true });
    writeFileSync(
      join(root, 'datasets', 'stanfordnlp', 'sst2', 'validation.jsonl'),
      '{"text":"good","label":1}\n{"text":"bad"}\n',
    );
    symlinkSync(join(hubDir, 'models'), join(root, 'models'));
    const out = join(tempDir(), 'results');
    const r = await cli(['bench', '--task', 'classification', '--hub', root, '--out', out]);
    expectUserError(
      r,
      /^joulebench: Dataset stanfordnlp\/sst2 \(validation\) row 2 has no field 'label'; its fields are: text \(in \/.*\/datasets\/stanfordnlp\/sst2\/validation\.jsonl\)$/m,
    );
    expect(existsSync(out)).toBe(false); // no empty <out>/runs/ left behind either
  });

  it('--strict refuses to start when a model is not available offline', async () => {
    const out = tempDir(); // an --out that exists: only the runs/ folder the run made goes again
    const r = await cli(['bench', '--task', 'classification', '--strict', '--samples', '2', '--out', out]);
    expectUserError(
      r,
      /^joulebench: --strict: 2 model\(s\) unavailable: .*Xenova\/distilbert-base-uncased-finetuned-sst-2-english: not available offline \(looked in /m,
    );
    expect(r.stderr).toContain('Xenova/bert-base-multilingual-uncased-sentiment: not available offline');
    expect(readdirSync(out)).toEqual([]);
  });

  it('leaderboard with no records says how to make some', async () => {
    const r = await cli(['leaderboard', '--in', tempDir(), '--out', tempDir()]);
    expectUserError(r, /^joulebench: No result records found in .*\. Run `npm run bench -- --task <task>` first\.$/m);
  });
});

describe('help', () => {
  it('explains every bench flag', async () => {
    const r = await cli(['bench', '--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--task',
      '--suite',
      '--model',
      '--samples',
      '--sample-seed',
      '--batch-size',
      '--warmup',
      '--repetitions',
      '--meter',
      '--cpu-watts',
      '--threads',
      '--device',
      '--idle-seconds',
      '--hub',
      '--cache',
      '--offline',
      '--strict',
      '--out',
      '--resume',
      '--shard',
      '--run-id',
      '--models-file',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('ESTIMATED');
  });
});

describe('devices', () => {
  it('an unavailable --device is a one-line error naming the remedy, before any model runs', async () => {
    const gpu = await cli(['bench', '--task', 'classification', '--device', 'cuda']);
    expectUserError(
      gpu,
      /^joulebench: --device cuda: onnxruntime-node's CUDA provider is not installed: .*--onnxruntime-node-install=cuda12/m,
    );
    const unknown = await cli(['bench', '--task', 'classification', '--device', 'tpu']);
    expectUserError(unknown, /^joulebench: Unknown device 'tpu'\. Valid devices: cpu, webgpu, cuda$/m);
  });

  it('--device is checked before the meter is probed: no meter warning, and it is named before an unavailable --meter', async () => {
    const unknown = "joulebench: Unknown device 'tpu'. Valid devices: cpu, webgpu, cuda\n";
    expect((await cli(['bench', '--task', 'classification', '--device', 'tpu'])).stderr).toBe(unknown);
    const both = await cli(['bench', '--task', 'classification', '--device', 'tpu', '--meter', 'nvml']);
    expect(both.stderr).toBe(unknown);
    expect(both.status).toBe(2);
    const cuda = await cli(['bench', '--task', 'classification', '--device', 'cuda']);
    expect(cuda.stderr).toMatch(/^joulebench: --device cuda: [^\n]*\n$/);
  });

  it.skipIf(process.env.JOULEBENCH_TEST_HAS_WEBGPU === '1')(
    '--device webgpu without a GPU says WebGPU needs a Vulkan driver',
    async () => {
      const r = await cli(['bench', '--task', 'classification', '--device', 'webgpu']);
      expectUserError(
        r,
        /^joulebench: --device webgpu: (the Vulkan loader \(libvulkan\.so\.1\) is not installed|onnxruntime could not use it \(.*\))\. WebGPU needs a Vulkan driver/m,
      );
    },
  );
});
