// The flags of `npm run perf` (benchmarks/perf.ts) and where its report goes. Flags are checked
// before anything runs: --help prints the usage, a mistake is one line and exit 2. A report
// never replaces an earlier one of the same day and kind: the next free <name>-2.json, -3, …
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { writeWholeFile } from '../src/records/whole-file.js';
import { UserError, closest, errorCode } from '../src/util/errors.js';
import { EXIT } from '../src/util/exit-codes.js';

const PERF_HELP = `Usage: npm run perf -- [--quick | --meters]

joulebench's own performance: what the harness costs on top of the work it measures.
Needs the hub mirror (JOULEBENCH_HUB); asserts nothing (compare ratios within one run).

  (no flag)   full run, a few minutes on 2 cores      -> results/perf/<date>.json
  --quick     smaller samples, under 2 minutes        -> results/perf/<date>-quick.json
  --meters    the meter overhead only, about 20 s     -> results/perf/<date>-meters.json
  -h, --help  this text

An existing report is never overwritten: the new one goes to <name>-2.json (then -3, ...),
and the output says so.
`;

const USER_FLAGS = ['--quick', '--meters', '--help'];

interface PerfOptions {
  quick: boolean;
  meters: boolean;
  help: boolean;
  /** Internal: the scaling step runs each size in a child process of perf.ts. */
  scalingChild: number | undefined;
}

/** "Unknown option '--x'" -> one line, with the option nearest to it or the list. */
function mistake(err: unknown): UserError {
  const message = err instanceof Error ? err.message : String(err);
  const given = /'([^']+)'/.exec(message)?.[1] ?? '';
  const first = message.split('. ')[0]!;
  const near = errorCode(err) === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? closest(given, USER_FLAGS) : [];
  const hint = near.length > 0 ? `did you mean ${near.join(', ')}?` : `options: ${USER_FLAGS.join(', ')}`;
  return new UserError(`${first[0]!.toLowerCase()}${first.slice(1)} (${hint})`);
}

function parsePerfArgs(argv: string[]): PerfOptions {
  let values: { quick?: boolean; meters?: boolean; help?: boolean; 'scaling-child'?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        meters: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'scaling-child': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw mistake(err);
  }
  if (values.quick && values.meters) throw new UserError('give --quick or --meters, not both');
  const child = values['scaling-child'];
  return {
    quick: values.quick === true,
    meters: values.meters === true,
    help: values.help === true,
    scalingChild: child === undefined ? undefined : Number(child),
  };
}

/** The options, or the end of the process: the usage on --help (exit 0), one line on a mistake (exit 2). */
export function perfOptionsOrExit(argv: string[]): PerfOptions {
  let options: PerfOptions;
  try {
    options = parsePerfArgs(argv);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`perf: ${err.message}\n`);
    process.exit(EXIT.userError);
  }
  if (options.help) {
    process.stdout.write(PERF_HELP);
    process.exit(EXIT.ok);
  }
  return options;
}

/**
 * Writes `report` to <dir>/<stem>.json, or to the first free <stem>-<n>.json when that exists
 * (created exclusively: a report running at the same time cannot take the same name), saying so
 * through `note`. Returns the path written.
 */
export function writeNewReport(dir: string, stem: string, report: unknown, note: (line: string) => void): string {
  const bytes = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  for (let n = 1; ; n++) {
    const path = join(dir, n === 1 ? `${stem}.json` : `${stem}-${n}.json`);
    try {
      writeWholeFile(path, bytes, 'wx');
    } catch (err) {
      if (errorCode(err) === 'EEXIST') continue;
      throw err;
    }
    if (n > 1) note(`${join(dir, `${stem}.json`)} exists (kept): writing ${path}`);
    return path;
  }
}
