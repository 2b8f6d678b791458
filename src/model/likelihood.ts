// Log-likelihood of a continuation under a causal LM, from one forward pass of a loaded
// transformers.js pipeline. Used for perplexity, after the energy windows.
import type { ScoringModel } from '../task-api.js';
import type { LoadedPipeline } from './pipeline.js';

interface TokenizerOutput {
  input_ids: { data: BigInt64Array; dims: number[] };
  attention_mask: unknown;
}

interface CausalPipeline {
  tokenizer: (text: string) => TokenizerOutput;
  model: ((inputs: object) => Promise<{ logits: { data: Float32Array; dims: number[] } }>) & {
    config: { max_position_embeddings?: number; n_positions?: number };
  };
}

export function scoringModel(pipe: LoadedPipeline): ScoringModel {
  const p = pipe as unknown as CausalPipeline;
  const maxLength = p.model.config.max_position_embeddings ?? p.model.config.n_positions ?? 1024;
  return {
    async logLikelihood(context, continuation) {
      // Tokenize context alone and context + continuation: the continuation's tokens are what
      // the full sequence has beyond the context (as lm-evaluation-harness does).
      const contextLength = p.tokenizer(context).input_ids.dims[1]!;
      const full = p.tokenizer(`${context} ${continuation}`);
      const ids = full.input_ids.data;
      const length = ids.length;
      if (length > maxLength) throw new Error(`context + continuation exceed the model's ${maxLength} positions`);
      const { logits } = await p.model({ input_ids: full.input_ids, attention_mask: full.attention_mask });
      const vocab = logits.dims[2]!;
      let logProb = 0;
      for (let t = contextLength - 1; t < length - 1; t++) {
        const row = logits.data.subarray(t * vocab, (t + 1) * vocab);
        let max = -Infinity;
        for (const x of row) if (x > max) max = x;
        let sum = 0;
        for (const x of row) sum += Math.exp(x - max);
        logProb += row[Number(ids[t + 1])]! - max - Math.log(sum);
      }
      return { logProb, tokens: length - contextLength };
    },
  };
}
