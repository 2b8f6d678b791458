// The papers `compare` knows: each one's citation, its reference figures and its set-up, as
// read from the paper and the authors' code and logs.

export interface PaperInfo {
  id: string;
  title: string;
  citation: string;
  /** Reference CSV, relative to the repository root. */
  referencesFile: string;
  /** Our task name → the paper's task name. */
  taskMap: Readonly<Record<string, string>>;
  /** The paper's set-up, one line per aspect (from the paper and the authors' code and logs). */
  settings: Readonly<
    Record<'hardware' | 'boundary' | 'precision' | 'batch' | 'generation' | 'samples' | 'meter' | 'loading', string>
  >;
}

export const PAPERS: Readonly<Record<string, PaperInfo>> = {
  'power-hungry-processing': {
    id: 'power-hungry-processing',
    title: 'Power Hungry Processing',
    citation:
      'Luccioni, Jernite & Strubell, "Power Hungry Processing: Watts Driving the Cost of AI Deployment?", ACM FAccT 2024 ' +
      '(arXiv 2311.16863); code and logs: github:sashavor/co2_inference@9ae9895',
    referencesFile: 'benchmarks/references/power-hungry-processing.csv',
    taskMap: {
      classification: 'text_classification',
      generation: 'text_generation',
      summarization: 'summarization',
      'question-answering': 'extractive_qa',
      'fill-mask': 'masked_language_modeling',
      'token-classification': 'token_classification',
      'image-classification': 'image_classification',
    },
    settings: {
      hardware:
        'one AWS node, 8 × NVIDIA A100-SXM4-80GB + Intel Xeon Platinum 8275CL, 1,148.7 GB RAM logged; inference on one GPU (device 0)',
      boundary:
        'CodeCarbon machine mode, CPU + GPU + RAM, PUE 1: GPU energy summed over all 8 GPUs (7 idle); CPU a constant 42.5 W estimate; ' +
        'RAM not measured but modelled as a constant ≈430 W (3/8 W per GB × 1,148.7 GB), 36–44% of every figure',
      precision: 'FP32 (Transformers pipeline default, no torch_dtype)',
      batch: 'batch size 1: one pipeline call per example, sequential',
      generation:
        'text generation: max_new_tokens=10, prompt = first 20 words of the row; summarization: max_length=15, min_length=10 (total tokens)',
      samples:
        '1,000 examples per dataset × 3 datasets × 10 repetitions; 8 models per task; images first resized to ' +
        "640×480 (nearest neighbour: the runs Table 2's image figure matches); masked LM: each row's 20th word masked",
      meter: 'CodeCarbon 2.3.1, measure_power_secs=1',
      loading: 'excluded: Table 2 is the "query model" task of each run',
    },
  },
};
