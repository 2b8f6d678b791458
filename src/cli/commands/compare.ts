// `joulebench compare`: flags -> runCompare().
import { runCompare } from '../../report/papers/report.js';
import { defaultRecordInputs } from '../../report/run-leaderboard.js';

export async function compare(opts: {
  paper: string;
  in: string[];
  out: string;
  references?: string;
}): Promise<number> {
  await runCompare({
    paper: opts.paper,
    // As the leaderboard: a user's records, not the repository's examples (results/examples/).
    in: opts.in.length > 0 ? opts.in : defaultOr(['results']),
    out: opts.out,
    references: opts.references,
  });
  return 0;
}

function defaultOr(fallback: string[]): string[] {
  const inputs = defaultRecordInputs();
  return inputs.length > 0 ? inputs : fallback;
}
