/**
 * `npm run report -- [--results DIR ...] [--out reports/site] [--baseline NAME]
 *   [--bootstrap N] [--bootstrap-seed S] [--json]`
 *
 * Builds the HTML leaderboard from result records (reports/build.ts). Also called by
 * `npm run evaluate` at its end unless --no-report.
 */
import { buildReport, type BuildReportOptions } from '../../reports/build.ts';
import { DEFAULTS } from '../defaults.ts';
import { commandMain, listFlag, log, nonNegativeIntegerFlag, parseFlags, stringFlag } from '../flags.ts';

export { buildReport, type BuildReportOptions, type BuildReportResult } from '../../reports/build.ts';

const HELP = `Usage: npm run report -- [options]

Reads every result record under the result folders (the newest record per model,
dataset and template set wins) and writes a self-contained leaderboard site: the
radar, heatmap, per-class bars and gap-to-baseline charts (Vega/Vega-Lite JSON, SVG,
PNG), index.html and one page per benchmark (zero-shot records with every band), and
few-shot.html with the label-efficiency curves of few-shot records.

  --results DIR     result folder(s) to read (repeat or comma list; default results)
  --out DIR         where the site goes (default reports/site)
  --baseline NAME   model the gap chart compares against (default: the best RGB model)
  --bootstrap N     resamples of the paired comparisons computed from the logits saved
                    beside the records (default 1000; 0 = none)
  --bootstrap-seed S  their seed (default 0; evaluate's default too, so the intervals
                    match the records' ci)
  --json            print a JSON summary on stdout (logs stay on stderr)
  -h, --help        this text
`;

const flags = {
  results: { type: 'string', multiple: true },
  out: { type: 'string', default: 'reports/site' },
  baseline: { type: 'string' },
  bootstrap: { type: 'string' },
  'bootstrap-seed': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export interface ReportRequest extends BuildReportOptions {
  json: boolean;
}

export function parseReportArguments(argv: readonly string[]): ReportRequest | 'help' {
  const { values } = parseFlags(argv, flags, 'report');
  if (values.help) return 'help';
  const results = listFlag(values.results, 'results');
  return {
    results: results.length ? results : ['results'],
    out: stringFlag(values.out) ?? 'reports/site',
    baseline: stringFlag(values.baseline),
    bootstrap: {
      resamples: nonNegativeIntegerFlag(values.bootstrap, 'bootstrap', DEFAULTS.bootstrap),
      seed: nonNegativeIntegerFlag(values['bootstrap-seed'], 'bootstrap-seed', DEFAULTS.bootstrapSeed, 2 ** 32 - 1),
    },
    json: Boolean(values.json),
  };
}

export async function runReport(request: ReportRequest): Promise<void> {
  const result = await buildReport({ results: request.results, out: request.out, baseline: request.baseline, bootstrap: request.bootstrap, log });
  if (request.json) {
    const summary = {
      index: result.index,
      pages: result.pages,
      charts: result.charts,
      json: result.json,
      records: result.records,
      superseded: result.superseded,
      baseline: result.baseline,
      headlines: result.headlines.map((headline) => ({ task: headline.task, meanGap: headline.meanGap, benchmarks: headline.benchmarks })),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  }
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseReportArguments, runReport);
}
