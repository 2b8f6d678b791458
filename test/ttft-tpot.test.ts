// TTFT and TPOT from the token stream: one timestamp as a call begins and one per decoding step,
// nothing else; figures computed after the window, over every request of every pass.
import { describe, expect, it } from 'vitest';
import { estimateMeter } from '../src/meters/estimate.js';
import { generationLatency, percentiles, TokenStream, tpotMs, ttftMs } from '../src/model/token-stream.js';
import { measureWindow } from '../src/run/window.js';
import { generatingPipe } from './helpers/generation.js';

/** A stream on a scripted clock: each call of now() returns the next time. */
function scripted(times: number[]): TokenStream {
  const queue = [...times];
  return new TokenStream(() => {
    const t = queue.shift();
    if (t === undefined) throw new Error('clock read more often than scripted');
    return t;
  });
}

describe('TokenStream', () => {
  it('takes TTFT from the call start to the first token and TPOT over the steps after it', () => {
    // Call 1 begins at 100 ms; its prompt put is not timed; tokens at 112, 115, 118, 121 ms.
    // Call 2 begins at 200 ms; tokens at 204 and 214 ms.
    const s = scripted([100, 112, 115, 118, 121, 200, 204, 214]);
    s.begin();
    s.put([[1n, 2n]]); // prompt: no timestamp
    for (let i = 0; i < 4; i++) s.put([[7n]]);
    s.end();
    s.begin();
    s.put([[1n]]);
    s.put([[7n]]);
    s.put([[7n]]);
    s.end();
    expect(s.total).toBe(6);
    expect(s.requests).toEqual([
      { startMs: 100, firstMs: 112, lastMs: 121, steps: 4 },
      { startMs: 200, firstMs: 204, lastMs: 214, steps: 2 },
    ]);
    expect(s.requests.map(ttftMs)).toEqual([12, 4]);
    expect(s.requests.map(tpotMs)).toEqual([3, 10]);
  });

  it('counts one token per batch row per step; a one-token request has no TPOT', () => {
    const s = scripted([0, 5]);
    s.begin();
    s.put([[1n], [1n], [1n]]); // decoder-start ids of a batch of 3 (encoder-decoder)
    s.put([[7n], [7n], [7n]]);
    s.end();
    expect(s.total).toBe(3);
    expect(ttftMs(s.requests[0]!)).toBe(5);
    expect(tpotMs(s.requests[0]!)).toBeUndefined();
    expect(generationLatency(s.requests, 3)).toEqual({
      requests: 1,
      per: 'call',
      ttftMs: { p50: 5, p90: 5, p95: 5, p99: 5 },
      tpotMs: null,
    });
  });

  it('starts each call afresh: a call that failed before end() does not count the next prompt', () => {
    const s = scripted([0, 10, 20]);
    s.begin();
    s.put([[1n]]); // the prompt, then the call throws
    s.begin();
    s.put([[1n, 2n]]); // the next call's prompt: skipped, not counted
    s.put([[7n]]);
    s.end();
    expect(s.total).toBe(1);
    expect(s.requests).toEqual([{ startMs: 10, firstMs: 20, lastMs: 20, steps: 1 }]);
  });

  it('keeps p50, p90, p95 and p99 by linear interpolation', () => {
    const xs = Array.from({ length: 101 }, (_, i) => 100 - i); // 0..100, unsorted
    expect(percentiles(xs)).toEqual({ p50: 50, p90: 90, p95: 95, p99: 99 });
    expect(generationLatency([], 1)).toBeUndefined();
  });
});

describe('a window of a generative pipeline', () => {
  it('times every request of every pass, and counts their tokens', async () => {
    const stream = new TokenStream();
    const pipe = generatingPipe();
    const m = await measureWindow(
      pipe,
      ['a', 'b', ['c', 'd']],
      { max_new_tokens: 4 },
      estimateMeter({ cpuWatts: 1 }),
      stream,
      0.05, // a few passes of these instant calls
    );
    expect(m.passes).toBeGreaterThan(1);
    expect(m.requests).toHaveLength(3 * m.passes);
    expect(m.outputTokens).toBe((1 + 1 + 2) * 4 * m.passes);
    for (const r of m.requests!) {
      expect(r.steps).toBe(4);
      expect(r.firstMs).toBeGreaterThanOrEqual(r.startMs);
      expect(r.lastMs).toBeGreaterThanOrEqual(r.firstMs);
    }
  });
});
