/**
 * `npm run evaluate -- [options]`: zero-shot evaluation and few-shot probes of registry
 * models on the three benchmarks; every flag is in HELP below (`--help` prints it).
 *
 * With no --model and no benchmark_datasets/ folder it runs the built-in demo.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandMain, deviceFlag, listFlag, log, modelFlags, nonNegativeIntegerFlag, parseFlags, positiveIntegerFlag, stringFlag, workersFlag } from '../flags.ts';
import { DEMO_MODEL_NAMES } from '../../adapters/demo-models.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { runEvaluation, type EvaluationRequest, type EvaluationSummary } from '../../runner/evaluate.ts';
import { DEFAULTS } from '../defaults.ts';
import { conditionRequests, fillFlag } from '../../preprocess/conditions.ts';
import { checkOutputFolder } from '../../core/output-paths.ts';
import { FEW_SHOT_FLAGS, taskOptionsFromFlags } from '../few-shot-flags.ts';
import { shardFlags, shardOption, storeFlags, storeOptions } from '../store-flags.ts';

const HELP = `Usage: npm run evaluate -- [options]

Zero-shot classification and retrieval, and few-shot probes, of one or more models on
EuroSAT-MS, METER-ML and BigEarthNet (reference on-disk layouts, see DATASETS.md).

  --model NAME            model(s) from the registry (repeat or comma list; default Llama3-MS-CLIP-Base)
  --templates SET,SET     msclip (default), clip, rs5m, or a JSON file of templates with {c};
                          several (comma list or repeats) give one record each from one
                          pass over the images
  --task NAME             evaluation task(s), comma list: zero-shot (default; alias
                          zeroshot_classification), few-shot (alias linear_probe)
  --split S               zero-shot scores every image (all, default) or the test split
                          file's (test: test.txt; BigEarthNet: bigearthnet-test.csv)
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
  --no-save-logits        do not write the logits/targets .npy and image ids beside each
                          record (written by default; --save-logits is still accepted)
  --bootstrap N           resamples behind each record's 95% bootstrap intervals (default
                          1000; 0 = no intervals)
  --bootstrap-seed S      seed of those resamples, recorded in ci_method (default 0)
  --skip-invalid          skip unreadable images (listed in the record) instead of failing
  --drop-bands B,B        a band-robustness condition: these bands missing. Each occurrence
                          is ONE condition (its commas list that condition's bands, the one
                          exception to the list-flag rule); repeat the flag for more
  --keep-bands B,B        a condition with only these bands present; sets: rgb (B02 B03 B04),
                          10m (B02 B03 B04 B08); --drop-bands also takes red-edge
                          (B05 B06 B07 B8A) and swir (B11 B12)
  --band-sweep            every single-band drop plus rgb, 10m, red-edge and swir
  --fill POLICY           how missing bands are filled: channel-mean (default: the band's
                          normalisation mean, 0 after normalising), pixel-mean (each pixel's
                          mean over the bands present), zero (raw reflectance 0)
  --limit-per-class N     a seeded subset: N images per class (BigEarthNet: N x 19 at random),
                          the same for every condition; records say a limit was used
  --cache-dir DIR         the embedding store: every image embedding is kept here and found
                          again by content, so a rerun, a killed run restarted or another
                          template set encodes only what is missing (default
                          $XDG_CACHE_HOME/msclip-bench or ~/.cache/msclip-bench)
  --no-cache              neither read nor write the store; encode every image
  --cache-only            never encode: fail, naming them, if any embedding is missing
  --shard I/N             encode only share I of N (1-based) of every dataset into the store
                          and write no records; a run without --shard then only scores
  --shard auto            I/N from a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN, _COUNT) or a
                          Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shard-count N)
  --shard-count N         the number of shards, for --shard auto in a Kubernetes Indexed Job
  --no-export             never export a missing bundle; fail with instructions instead
  --no-report             do not build the HTML leaderboard at the end
  --report-dir DIR        where the leaderboard goes (default reports/site)
  --demo                  run the built-in demo suite and demo models
  --json                  print only the summary JSON on stdout

Few-shot (--task few-shot): probes fitted on seeded draws of the train split (train.txt,
bigearthnet-train.csv; none: a seeded 80/20 split), scored on the test split:
  --shots LIST            labelled images per class (single-label; default
                          1,2,5,10,20,50,100,all)
  --labels LIST           labelled images in total (multi-label, and single-label when given
                          without --shots; default 10,20,50,100,200,500,1000; add all to fit
                          the whole training split once)
  --seeds N               draws per budget (default 10)
  --probe LIST            logreg,knn (default both)
  --probe-c C             logistic regression's C, or auto (default: chosen per draw from
                          1e-3..1e3 on val, else on a fold of the draw)
`;

const flags = {
  ...modelFlags,
  model: { type: 'string', multiple: true },
  templates: { type: 'string', multiple: true },
  task: { type: 'string', multiple: true },
  datasets: { type: 'string', multiple: true },
  'dataset-dir': { type: 'string' },
  checkpoint: { type: 'string' },
  workers: { type: 'string' },
  'save-path': { type: 'string' },
  'save-logits': { type: 'boolean', default: false },
  'no-save-logits': { type: 'boolean', default: false },
  bootstrap: { type: 'string' },
  'bootstrap-seed': { type: 'string' },
  'skip-invalid': { type: 'boolean', default: false },
  'no-report': { type: 'boolean', default: false },
  'report-dir': { type: 'string' },
  demo: { type: 'boolean', default: false },
  'drop-bands': { type: 'string', multiple: true },
  'keep-bands': { type: 'string', multiple: true },
  'band-sweep': { type: 'boolean', default: false },
  fill: { type: 'string' },
  'limit-per-class': { type: 'string' },
  ...FEW_SHOT_FLAGS,
  ...storeFlags,
  ...shardFlags,
} as const;

/** A repeatable flag's occurrences as given: here the commas belong to each occurrence. */
function rawList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}

export interface EvaluateCommandRequest extends EvaluationRequest {
  report: boolean;
  reportDir: string;
  json: boolean;
}

function saveLogitsFlag(values: Record<string, unknown>): boolean {
  if (values['save-logits'] && values['no-save-logits']) throw new UserError(ErrorCode.usage, '--save-logits and --no-save-logits contradict each other: keep one');
  return values['no-save-logits'] ? false : DEFAULTS.saveLogits;
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
  const store = storeOptions(values);
  const shard = shardOption(values);
  const templates = listFlag(values.templates, 'templates');
  return {
    models: models.length > 0 ? models : demo ? [] : [DEFAULTS.model],
    templates: templates.length > 0 ? templates : [DEFAULTS.templates],
    tasks: listFlag(values.task, 'task').length > 0 ? listFlag(values.task, 'task') : [DEFAULTS.task],
    ...taskOptionsFromFlags(values),
    datasets: listFlag(values.datasets, 'datasets'),
    datasetDir: datasetDir ?? DEFAULTS.datasetDir,
    modelsDir: stringFlag(values['models-dir']) ?? DEFAULTS.modelsDir,
    checkpoint: stringFlag(values.checkpoint),
    device: deviceFlag(values.device),
    batchSize: positiveIntegerFlag(values['batch-size'], 'batch-size', DEFAULTS.batchSize),
    workers: workersFlag(values.workers) ?? DEFAULTS.workers,
    maxImagePixels: positiveIntegerFlag(values['max-image-pixels'], 'max-image-pixels', DEFAULTS.maxImagePixels),
    savePath: stringFlag(values['save-path']) ?? DEFAULTS.savePath,
    saveLogits: saveLogitsFlag(values),
    bootstrap: {
      resamples: nonNegativeIntegerFlag(values.bootstrap, 'bootstrap', DEFAULTS.bootstrap),
      seed: nonNegativeIntegerFlag(values['bootstrap-seed'], 'bootstrap-seed', DEFAULTS.bootstrapSeed, 2 ** 32 - 1),
    },
    skipInvalid: Boolean(values['skip-invalid']),
    allowExport: !values['no-export'],
    report: !values['no-report'],
    reportDir: stringFlag(values['report-dir']) ?? DEFAULTS.reportDir,
    demo,
    json: Boolean(values.json),
    conditions: conditionRequests(rawList(values['drop-bands']), rawList(values['keep-bands']), Boolean(values['band-sweep'])),
    fill: fillFlag(stringFlag(values.fill), DEFAULTS.fill),
    limitPerClass: values['limit-per-class'] === undefined ? undefined : positiveIntegerFlag(values['limit-per-class'], 'limit-per-class', 1),
    store: store && { ...store, shard },
  };
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseEvaluateArguments, async (request) => {
    if (request.report && !request.store?.shard) checkOutputFolder(request.reportDir, '--report-dir');
    const summary: EvaluationSummary & { report?: string } = await runEvaluation(request, log);
    if (request.report && summary.results.length > 0 && !request.store?.shard) {
      const { buildReport } = await import('../../reports/build.ts');
      const report = await buildReport({ results: [request.savePath], out: request.reportDir, bootstrap: request.bootstrap, log });
      summary.report = report.index;
      log(`Leaderboard: ${report.index}`);
    }
    if (request.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.failed > 0 ? 1 : 0;
  });
}
