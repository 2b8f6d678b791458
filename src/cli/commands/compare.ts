// `joulebench compare`: flags -> runCompare().
import { runCompare } from '../../report/papers/report.js';

export async function compare(opts: {
  paper: string;
  in: string[];
  out: string;
  references?: string;
}): Promise<number> {
  await runCompare({
    paper: opts.paper,
    in: opts.in.length > 0 ? opts.in : ['results'],
    out: opts.out,
    references: opts.references,
  });
  return 0;
}
