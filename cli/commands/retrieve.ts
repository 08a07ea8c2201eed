/**
 * `npm run retrieve -- --model NAME --images DIR|list.txt|list.yaml
 *   (--query "text" [--query ...] | --queries-file FILE.txt|.yaml) [--top-k 5]
 *   [--save-path out.csv] [--json] [--embeddings FILE | --save-embeddings FILE] [--cache-dir DIR | --no-cache] [--cache-only]
 *   [--models-dir DIR] [--device auto|cpu|cuda|webgpu] [--batch-size N] [--no-export]`
 */
import { retrieve, type RetrieveOptions, type RetrieveResult } from '../library.ts';
import { commonInferenceOptions, INFERENCE_FLAGS_HELP, inferenceFlags, listOrFile, parseInferenceFlags, runInferenceCommand, type FlagValues, type InferenceTable, type OutputOptions } from '../inference-output.ts';
import { DEFAULTS } from '../defaults.ts';
import { commandMain, positiveIntegerFlag } from '../flags.ts';

const HELP = `Usage: npm run retrieve -- --images DIR|list.txt|list.yaml --query "text" [options]

Text-to-image retrieval over your own images: for every query, the top-k images by
cosine similarity between the query's text embedding and the image embeddings.

  --model NAME            model from the registry (default Llama3-MS-CLIP-Base)
  --images PATH           folder (sorted; non-images skipped), .txt list (one path per
                          line) or .yaml list (images: [...]); paths relative to the list
  --query TEXT            a query; repeat the flag or add more quoted words after it
                          (commas stay inside a query)
  --queries-file FILE     queries, .txt (one per line) or .yaml (queries: [...])
  --top-k N               images per query (default 5)
  --save-path FILE        also write the results as CSV (Query,Rank,Image,Similarity)
${INFERENCE_FLAGS_HELP}
Ties in similarity keep the listing order (folder order is sorted by file name).
`;

const flags = {
  ...inferenceFlags,
  query: { type: 'string', multiple: true },
  'queries-file': { type: 'string' },
  'top-k': { type: 'string' },
} as const;

export interface RetrieveRequest extends RetrieveOptions, OutputOptions {}

export function parseRetrieveArguments(argv: readonly string[]): RetrieveRequest | 'help' {
  const values: FlagValues = parseInferenceFlags(argv, flags, ['query'], 'retrieve');
  if (values.help) return 'help';
  // Queries are sentences: commas belong to them, so no comma splitting here.
  const queries = listOrFile(values, { list: 'query', file: 'queries-file', key: 'queries', example: '"text"', splitCommas: false });
  return {
    ...commonInferenceOptions(values),
    queries,
    topK: positiveIntegerFlag(values['top-k'], 'top-k', DEFAULTS.topK),
  };
}

const TABLE: InferenceTable<RetrieveResult> = {
  heading: (result) => {
    const k = Math.max(0, ...result.queries.map((query) => query.results.length));
    return `Text-to-image retrieval (${result.model}, top ${k} of ${result.images} images):`;
  },
  header: () => ['Query', 'Rank', 'Image', 'Similarity'],
  rows: (result) => result.queries.flatMap((query) => query.results.map((hit) => [query.query, hit.rank, hit.name, hit.similarity])),
  digits: 4,
};

export function runRetrieve(request: RetrieveRequest): Promise<RetrieveResult> {
  return runInferenceCommand(request, (hooks) => retrieve({ ...request, ...hooks }), TABLE);
}

export function main(argv: readonly string[]): Promise<number> {
  return commandMain(argv, HELP, parseRetrieveArguments, async (request) => {
    await runRetrieve(request);
  });
}
