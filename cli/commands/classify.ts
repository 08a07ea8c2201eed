/**
 * `npm run classify -- --model NAME --images DIR|list.txt|list.yaml
 *   (--class-names a,b,c | --classes-file FILE.txt|.yaml) [--templates msclip|clip|rs5m|FILE.json]
 *   [--save-path out.csv] [--json] [--embeddings FILE | --save-embeddings FILE] [--cache-dir DIR | --no-cache] [--cache-only]
 *   [--models-dir DIR] [--device auto|cpu|cuda|webgpu] [--batch-size N] [--no-export]`
 */
import { classify, type ClassifyOptions, type ClassifyResult } from '../library.ts';
import { commonInferenceOptions, INFERENCE_FLAGS_HELP, inferenceFlags, listOrFile, parseInferenceFlags, runInferenceCommand, type FlagValues, type InferenceTable, type OutputOptions } from '../inference-output.ts';
import { DEFAULTS } from '../defaults.ts';
import { commandMain, stringFlag } from '../flags.ts';

const HELP = `Usage: npm run classify -- --images DIR|list.txt|list.yaml --class-names a,b,c [options]

Zero-shot classification of your own images: for every image, the probability of
each class (softmax of 100 x cosine similarity to the class's prompt embeddings).

  --model NAME            model from the registry (default Llama3-MS-CLIP-Base)
  --images PATH           folder (sorted; non-images skipped), .txt list (one path per
                          line) or .yaml list (images: [...]); paths relative to the list
  --class-names A,B,...   class names: comma list, repeated flag, or space-separated
                          words after the flag (quote names with spaces)
  --classes-file FILE     class names, .txt (one per line) or .yaml (classes: [...])
  --templates SET         msclip (default, as the reference), clip, rs5m, or a JSON file
  --save-path FILE        also write the table as CSV
${INFERENCE_FLAGS_HELP}
Images: GeoTIFF (12-band L2A, 13-band L1C, 10 bands in the model's order, or bands
named by GDAL descriptions; int16/uint16/float), .npy (bands first or last), and
PNG/JPEG for RGB models. Any size: the shorter side is resized to the model's size
(antialiased bicubic) and centre-cropped, as the reference's inference does.
`;

const flags = {
  ...inferenceFlags,
  'class-names': { type: 'string', multiple: true },
  'classes-file': { type: 'string' },
  templates: { type: 'string', default: 'msclip' },
} as const;

export interface ClassifyRequest extends ClassifyOptions, OutputOptions {}

export function parseClassifyArguments(argv: readonly string[]): ClassifyRequest | 'help' {
  const values: FlagValues = parseInferenceFlags(argv, flags, ['class-names'], 'classify');
  if (values.help) return 'help';
  const classNames = listOrFile(values, { list: 'class-names', file: 'classes-file', key: 'classes', example: 'a,b,c', splitCommas: true });
  return {
    ...commonInferenceOptions(values),
    classNames,
    templates: stringFlag(values.templates) ?? DEFAULTS.templates,
  };
}

/** Probabilities to 3 decimals, as the reference prints them. */
const TABLE: InferenceTable<ClassifyResult> = {
  heading: (result) => `Zero-shot classification (${result.model}, templates ${result.templates.name}, ${result.images.length} images):`,
  header: (result) => ['Image', 'Class', ...result.classes],
  rows: (result) => result.images.map((image) => [image.name, image.class, ...image.probabilities]),
  digits: 3,
};

export function runClassify(request: ClassifyRequest): Promise<ClassifyResult> {
  return runInferenceCommand(request, (hooks) => classify({ ...request, ...hooks }), TABLE);
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseClassifyArguments, async (request) => {
    await runClassify(request);
  });
}
