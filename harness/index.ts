/**
 * The library entry point (`import { ... } from 'msclip-bench'`): inference on your own
 * tiles, evaluation, bundles and records, for TypeScript users.
 */
export { classify, retrieve, encodeImages, DEFAULT_BATCH_SIZE } from './inference.ts';
export type { InferenceOptions, ClassifyOptions, RetrieveOptions, ClassifyResult, RetrieveResult, RetrievalHit, InferenceImage } from './inference.ts';
export { listImages, prepareInputImage } from './images.ts';
export { readEmbeddingsCache } from './embeddings-cache.ts';
export { runEvaluation, summaryTable } from './run-evaluation.ts';
export type { EvaluationRequest, EvaluationSummary } from './run-evaluation.ts';
export { readRecords, newestRecords, writeRecord } from './records.ts';
export type { ResultRecord } from './records.ts';
export { singleLabelMetrics, multiLabelMetrics, METRICS } from './metrics/index.ts';
export { UserError, ErrorCode } from './messages.ts';
export { loadEncoder, openBundle } from '../adapters/clip.ts';
export { listModels } from '../adapters/registry.ts';
export type { BundleManifest, ImageTextEncoder, Device } from '../adapters/types.ts';
export { buildReport } from '../reports/build.ts';
