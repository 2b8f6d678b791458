// The image-classification task: images decoded once when rows are prepared (a PNG beside the
// mirror's file, or the bytes of the Hub's parquet image struct), a bad image named with its
// row, labels mapped to the dataset's (ImageNet's many to CIFAR's ten), top-1 and top-5.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedImage, ModelFacts, Sample, TaskDef } from '../src/task-api.js';
import { resolveHubConfig } from '../src/model/hub.js';
import { targetInputs } from '../src/run/plan.js';
import { resolveRunOptions } from '../src/schema/run-options.js';
import { loadTask } from '../tasks/index.js';
import { hubDir } from './helpers/env.js';
import { loadMirrorModel, type MirrorModel } from './helpers/mirror-model.js';

const cifarDir = join(hubDir, 'datasets/uoft-cs/cifar10');
const files = { dir: cifarDir };

describe('image-classification task', () => {
  let task: TaskDef;
  let vit: MirrorModel;
  beforeAll(async () => {
    task = await loadTask('image-classification');
    vit = await loadMirrorModel(task, 'joulebench-fixtures/tiny-random-vit');
  });
  afterAll(() => vit.pipe.dispose());

  it("decodes the mirror's PNG beside the dataset file, and the Hub's embedded bytes alike", async () => {
    const fromPath = await task.prepare({ image: 'test/00000.png', label: 3, idx: 0 }, 0, task.dataset, files);
    const image = fromPath.input as DecodedImage;
    expect([image.width, image.height, image.channels]).toEqual([32, 32, 3]);
    expect([...image.data.slice(0, 6)]).toEqual([158, 112, 49, 159, 111, 47]);
    expect(fromPath.reference).toBe('cat');
    const bytes = new Uint8Array(readFileSync(join(cifarDir, 'test/00000.png')));
    const fromHub = await task.prepare({ img: { bytes, path: null }, label: 3 }, 0, task.dataset);
    expect((fromHub.input as DecodedImage).data).toEqual(image.data);
  });

  it("prepares (decodes) a run's images once: the plan and the run take the same samples", async () => {
    const hub = resolveHubConfig({ hub: hubDir }, {});
    const target = { task, spec: task.dataset, entries: [] };
    const settings = resolveRunOptions({ samples: 4 });
    const planned = await targetInputs(target, settings, hub);
    expect((await targetInputs(target, settings, hub)).samples).toBe(planned.samples);
    const other = await targetInputs(target, resolveRunOptions({ samples: 3 }), hub);
    expect(other.samples).toHaveLength(3);
    expect(other.samples[0]!.input).not.toBe(planned.samples[0]!.input); // other settings: prepared again
  });

  it("refuses an image path that leads outside the dataset's folder, naming the row", async () => {
    await expect(task.prepare({ image: '../../../../etc/passwd', label: 0 }, 4, task.dataset, files)).rejects.toThrow(
      "Dataset uoft-cs/cifar10 (test) row 5: image path '../../../../etc/passwd' leads outside the dataset's folder",
    );
    await expect(task.prepare({ image: '/etc/passwd', label: 0 }, 4, task.dataset, files)).rejects.toThrow(
      /row 5: image path '\/etc\/passwd' leads outside the dataset's folder/,
    );
  });

  it('names the image and the row it cannot read or decode', async () => {
    await expect(task.prepare({ image: 'test/99999.png', label: 0 }, 7, task.dataset, files)).rejects.toThrow(
      `Dataset uoft-cs/cifar10 (test) row 8: image ${cifarDir}/test/99999.png cannot be read (ENOENT)`,
    );
    const junk = { bytes: new Uint8Array([1, 2, 3]), path: 'x.png' };
    await expect(task.prepare({ img: junk, label: 0 }, 8, task.dataset)).rejects.toThrow(
      'Dataset uoft-cs/cifar10 (test) row 9: embedded image x.png cannot be decoded ' +
        '(Input buffer contains unsupported image format)',
    );
    await expect(task.prepare({ img: 42, label: 0 }, 9, task.dataset)).rejects.toThrow(
      "row 10: field 'image' should be an image path or {bytes, path}, got 42",
    );
    await expect(task.prepare({ img: 'test/00000.png' }, 10, task.dataset, files)).rejects.toThrow(
      "row 11 has no field 'label'",
    );
  });

  it('lets a model trained on other labels map some of them, but not name labels it lacks', () => {
    const facts = (labels: string[], labelMap: Record<string, string>): ModelFacts => ({
      ...vit.facts,
      id: 'org/imagenet',
      labels,
      labelMap,
    });
    const imagenet = ['tabby, tabby cat', 'Egyptian cat', 'toilet tissue, toilet paper, bathroom tissue'];
    const map = { 'tabby, tabby cat': 'cat', 'Egyptian cat': 'cat' };
    expect(() => task.forModel!([], facts(imagenet, map))).not.toThrow(); // toilet tissue: unmapped, counts as wrong
    expect(() => task.forModel!([], facts(imagenet, { ...map, 'tiger cat': 'cat' }))).toThrow(
      `Model org/imagenet: models.json "labels" names 'tiger cat', which the model does not output`,
    );
    expect(() => task.forModel!([], facts(imagenet, { 'Egyptian cat': 'kitten' }))).toThrow(
      `maps 'Egyptian cat' to 'kitten', which is not a dataset label (airplane, automobile, bird, cat, deer, dog,`,
    );
    expect(() => task.forModel!([], facts(imagenet, {}))).toThrow(
      `models.json "labels" maps none of the model's labels`,
    );
  });

  it('scores top-1 and top-5 through the mapping; an unmapped top label is wrong and counted', () => {
    const samples: Sample[] = ['cat', 'dog', 'truck'].map((reference, row) => ({ input: {}, reference, row }));
    const ranked = (...labels: string[]) => labels.map((label, i) => ({ label, score: 1 / (i + 2) }));
    const outputs = [
      ranked('Egyptian cat', 'beagle', 'goldfish', 'hen', 'sorrel'), // top-1 right
      ranked('toilet tissue', 'tabby', 'goldfish', 'hen', 'beagle'), // unmapped top; dog 5th
      ranked('beagle', 'tabby', 'hen', 'sorrel', 'goldfish'), // truck nowhere
    ];
    const labels = { 'Egyptian cat': 'cat', tabby: 'cat', beagle: 'dog', hen: 'bird', sorrel: 'horse' };
    const q = task.score(samples, outputs, { dataset: task.dataset, labels });
    expect(q.accuracy).toBeCloseTo(1 / 3, 12);
    expect(q.top5Accuracy).toBeCloseTo(2 / 3, 12);
    expect(q.unmappedRate).toBeCloseTo(1 / 3, 12);
    const fewClasses = { ...task.dataset, labelNames: ['cat', 'dog', 'truck'] };
    expect(task.score(samples, outputs, { dataset: fewClasses, labels })).not.toHaveProperty('top5Accuracy');
  });

  it('feeds the decoded image to the real pipeline (random-weight fixture)', async () => {
    const s = await task.prepare({ image: 'test/00000.png', label: 3 }, 0, task.dataset, files);
    const out = (await vit.pipe(s.input, task.callOptions)) as { label: string; score: number }[];
    expect(out).toHaveLength(5);
    // The fixture's top label for CIFAR-10 test row 0, as the pipeline gives it for the file path.
    expect(out[0]!.label).toBe('dog');
    expect(out[0]!.score).toBeCloseTo(0.709412693977356, 9);
  });
});
