/**
 * `npm run evaluate -- [options]`: zero-shot evaluation of registry models on the three
 * benchmarks; every flag is in HELP below (`--help` prints it).
 *
 * With no --model and no benchmark_datasets/ folder it runs the built-in demo.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandMain, deviceFlag, listFlag, log, modelFlags, parseFlags, positiveIntegerFlag, stringFlag, workersFlag } from '../flags.ts';
import { DEMO_MODEL_NAMES } from '../../adapters/demo-models.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { runEvaluation, type EvaluationRequest, type EvaluationSummary } from '../../runner/evaluate.ts';
import { DEFAULTS } from '../defaults.ts';

const HELP = `Usage: npm run evaluate -- [options]

Zero-shot classification and retrieval of one or more models on EuroSAT-MS,
METER-ML and BigEarthNet (reference on-disk layouts, see DATASETS.md).

  --model NAME            model(s) from the registry (repeat or comma list; default Llama3-MS-CLIP-Base)
  --templates SET         msclip (default), clip, rs5m, or a JSON file of templates with {c}
  --task NAME             evaluation task(s): zero-shot (default; alias zeroshot_classification)
  --datasets LIST         EuroSAT_MS,METERML_MS,BigEarthNet_MS (default: all three; aliases METERML_RGB, BigEarthNet_RGB)
  --dataset-dir DIR       benchmark root (default benchmark_datasets)
  --models-dir DIR        bundle root (default models)
  --checkpoint FILE       local checkpoint for exporting a missing bundle (one --model only)
  --device D              auto (default), cpu, cuda or webgpu
  --batch-size N          images per model call (default 64)
  --workers N             preprocessing threads (default: none for two batches or less, else
                          MSCLIP_WORKERS or every core; 0 = main thread; at most the core count)
  --max-image-pixels N    refuse images larger than N pixels (width x height) before decoding
                          (default ${DEFAULTS.maxImagePixels}, i.e. 10000 x 10000)
  --save-path DIR         where records go (default results)
  --save-logits           also write logits/targets .npy beside each record
  --skip-invalid          skip unreadable images (listed in the record) instead of failing
  --no-export             never export a missing bundle; fail with instructions instead
  --no-report             do not build the HTML leaderboard at the end
  --report-dir DIR        where the leaderboard goes (default reports/site)
  --demo                  run the built-in demo suite and demo models
  --json                  print only the summary JSON on stdout
`;

const flags = {
  ...modelFlags,
  model: { type: 'string', multiple: true },
  templates: { type: 'string' },
  task: { type: 'string', multiple: true },
  datasets: { type: 'string', multiple: true },
  'dataset-dir': { type: 'string' },
  checkpoint: { type: 'string' },
  workers: { type: 'string' },
  'save-path': { type: 'string' },
  'save-logits': { type: 'boolean', default: false },
  'skip-invalid': { type: 'boolean', default: false },
  'no-report': { type: 'boolean', default: false },
  'report-dir': { type: 'string' },
  demo: { type: 'boolean', default: false },
} as const;

export interface EvaluateCommandRequest extends EvaluationRequest {
  report: boolean;
  reportDir: string;
  json: boolean;
}

export function parseEvaluateArguments(argv: readonly string[]): EvaluateCommandRequest | 'help' {
  const { values } = parseFlags(argv, flags, 'evaluate');
  if (values.help) return 'help';
  const models = listFlag(values.model, 'model');
  const datasetDir = stringFlag(values['dataset-dir']);
  // The built-in demo: asked for, or nothing to evaluate otherwise.
  const onlyDemoModels = models.every((name) => DEMO_MODEL_NAMES.some((demoName) => demoName.toLowerCase() === name.toLowerCase()));
  const demo = Boolean(values.demo) || (onlyDemoModels && datasetDir === undefined && !existsSync(resolve(DEFAULTS.datasetDir)));
  if (values.checkpoint && models.length > 1) throw new UserError(ErrorCode.usage, '--checkpoint applies to one --model; export each model with npm run export first');
  return {
    models: models.length > 0 ? models : demo ? [] : [DEFAULTS.model],
    templates: stringFlag(values.templates) ?? DEFAULTS.templates,
    tasks: listFlag(values.task, 'task').length > 0 ? listFlag(values.task, 'task') : [DEFAULTS.task],
    datasets: listFlag(values.datasets, 'datasets'),
    datasetDir: datasetDir ?? DEFAULTS.datasetDir,
    modelsDir: stringFlag(values['models-dir']) ?? DEFAULTS.modelsDir,
    checkpoint: stringFlag(values.checkpoint),
    device: deviceFlag(values.device),
    batchSize: positiveIntegerFlag(values['batch-size'], 'batch-size', DEFAULTS.batchSize),
    workers: workersFlag(values.workers) ?? DEFAULTS.workers,
    maxImagePixels: positiveIntegerFlag(values['max-image-pixels'], 'max-image-pixels', DEFAULTS.maxImagePixels),
    savePath: stringFlag(values['save-path']) ?? DEFAULTS.savePath,
    saveLogits: Boolean(values['save-logits']),
    skipInvalid: Boolean(values['skip-invalid']),
    allowExport: !values['no-export'],
    report: !values['no-report'],
    reportDir: stringFlag(values['report-dir']) ?? DEFAULTS.reportDir,
    demo,
    json: Boolean(values.json),
  };
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseEvaluateArguments, async (request) => {
    const summary: EvaluationSummary & { report?: string } = await runEvaluation(request, log);
    if (request.report && summary.results.length > 0) {
      const { buildReport } = await import('../../reports/build.ts');
      const report = await buildReport({ results: [request.savePath], out: request.reportDir, log });
      summary.report = report.index;
      log(`Leaderboard: ${report.index}`);
    }
    if (request.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.failed > 0 ? 1 : 0;
  });
}
