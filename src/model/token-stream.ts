// The token stream of generative pipelines, as transformers.js's generate() reports it to a
// streamer: put() once with the prompt (for encoder-decoder models the decoder-start ids, after
// the encoder ran), then once per decoding step with one token per batch row, then end(). From
// it: generated tokens counted exactly, and per request the time to the first token (TTFT) and
// the time per output token after it (TPOT). Inside the window it only adds and takes one
// timestamp per step (and one as a call begins); the figures are worked out after the window.
import type { GenerationLatency, Percentiles } from '../schema/result-record.js';
import { quantile } from '../util/stats.js';

/** When one request (one pipeline call) began and produced its tokens, milliseconds. */
export interface RequestTiming {
  startMs: number;
  /** The first generated token's step. */
  firstMs: number;
  /** The last generated token's step. */
  lastMs: number;
  /** Decoding steps (each yields one token per batch row). */
  steps: number;
}

/** Streamer that counts tokens and timestamps each call's decoding steps. */
export class TokenStream {
  /** Generated tokens since reset(): rows × steps, summed over calls. */
  total = 0;
  readonly requests: RequestTiming[] = [];
  readonly #now: () => number;
  #promptNext = true;
  #start = Number.NaN;
  #first = Number.NaN;
  #last = Number.NaN;
  #steps = 0;

  /** `now` is injectable so tests can script timestamps; the window uses performance.now(). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Forgets every call and token (a new window). */
  reset(): void {
    this.total = 0;
    this.requests.length = 0;
    this.#promptNext = true;
  }

  /** Called just before a pipeline call: TTFT counts from here (tokenization and any encoder included). */
  begin(): void {
    this.#promptNext = true; // a call that threw before end() leaves no prompt flag behind
    this.#steps = 0;
    this.#start = this.#now();
  }

  put(ids: unknown[]): void {
    if (this.#promptNext) {
      this.#promptNext = false;
      return;
    }
    const t = this.#now();
    this.total += ids.length;
    if (this.#steps === 0) this.#first = t;
    this.#last = t;
    this.#steps++;
  }

  end(): void {
    this.#promptNext = true;
    if (this.#steps > 0 && Number.isFinite(this.#start)) {
      this.requests.push({ startMs: this.#start, firstMs: this.#first, lastMs: this.#last, steps: this.#steps });
    }
    this.#start = Number.NaN;
  }
}

/** Time to first token: from the call's start to its first generated token. */
export function ttftMs(r: RequestTiming): number {
  return r.firstMs - r.startMs;
}

/** Time per output token after the first: undefined for a request that generated one step only. */
export function tpotMs(r: RequestTiming): number | undefined {
  return r.steps > 1 ? (r.lastMs - r.firstMs) / (r.steps - 1) : undefined;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}

/**
 * A window's TTFT and TPOT over all its requests (every pass), or undefined when none produced a
 * token. At batch size > 1 each request is one call, its rows sharing every step.
 */
export function generationLatency(
  requests: readonly RequestTiming[],
  batchSize: number,
): GenerationLatency | undefined {
  if (requests.length === 0) return undefined;
  const tpot = requests.map(tpotMs).filter((x): x is number => x !== undefined);
  return {
    requests: requests.length,
    per: batchSize > 1 ? 'call' : 'request',
    ttftMs: percentiles(requests.map(ttftMs)),
    tpotMs: tpot.length > 0 ? percentiles(tpot) : null,
  };
}
