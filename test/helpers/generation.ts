// Stand-ins for generative tests: a pipeline that talks to its streamer as transformers.js's
// generate() does (the prompt once, one put per decoding step with a token per row, then end),
// and a meter whose windows read scripted figures.
import { defineMeter, ready, type Meter, type WindowFigures } from '../../src/meters/base.js';
import type { PipelineCall } from '../../src/model/pipeline.js';

interface Streamer {
  put(ids: unknown[]): void;
  end(): void;
}

/** Generates `max_new_tokens` steps per call; `onStep` runs before each put (tests advance a clock there). */
export function generatingPipe(onStep: (step: number) => void = () => {}): PipelineCall & { calls: number } {
  const pipe = async (input: unknown, options: Record<string, unknown>) => {
    pipe.calls++;
    const streamer = options.streamer as Streamer | undefined;
    const rows = Array.isArray(input) ? input.length : 1;
    const steps = options.max_new_tokens as number;
    onStep(0);
    streamer?.put(Array.from({ length: rows }, () => [1n, 2n, 3n])); // the prompt
    for (let s = 1; s <= steps; s++) {
      onStep(s);
      streamer?.put(Array.from({ length: rows }, () => [7n]));
    }
    streamer?.end();
    return Array.isArray(input) ? input.map(() => 'text') : 'text';
  };
  pipe.calls = 0;
  return pipe as PipelineCall & { calls: number };
}

/** A measured meter whose successive windows read these joules over these seconds. */
export function scriptedMeter(windows: { joules: number; durationS: number }[]): Meter & { opened: number } {
  const script = [...windows];
  const counts = { opened: 0 };
  const meter = defineMeter({
    name: 'scripted',
    kind: 'measured',
    components: ['cpu'],
    describe: () => 'scripted',
    zeroReason: null,
    prepare: () =>
      ready(() => {
        counts.opened++;
        const next = script.shift();
        if (!next) throw new Error('scripted meter: no more windows scripted');
        const figures: WindowFigures = {
          durationS: next.durationS,
          components: { cpu: next.joules },
          details: {},
          warnings: [],
        };
        return { stop: async () => figures };
      }),
  });
  return Object.defineProperty(meter, 'opened', { get: () => counts.opened }) as Meter & { opened: number };
}
