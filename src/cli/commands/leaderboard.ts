// `joulebench leaderboard`: flags -> runLeaderboard().
import type { RankBy } from '../../report/board.js';
import { runLeaderboard } from '../../report/run-leaderboard.js';
import type { StarRule } from '../../report/stars.js';
import { parseFormats } from '../../report/write.js';

interface Flags {
  in: string[];
  includeExamples: boolean;
  out: string;
  format?: string;
  rankBy: RankBy;
  stars: StarRule;
  carbonIntensity?: number;
  import: string[];
  importTask?: string;
}

export async function leaderboard(opts: Flags): Promise<number> {
  await runLeaderboard({
    in: opts.in,
    includeExamples: opts.includeExamples,
    out: opts.out,
    formats: opts.format === undefined ? undefined : parseFormats(opts.format),
    stars: opts.stars,
    rankBy: opts.rankBy,
    carbonIntensity: opts.carbonIntensity,
    imports: opts.import,
    importTask: opts.importTask,
  });
  return 0;
}
