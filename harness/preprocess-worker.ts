/**
 * Worker thread body of the data path: receives chunks of dataset items, reads and
 * preprocesses each into one transferable Float32Array, and reports per-item user
 * errors (corrupt tiff, wrong band count) instead of dying, so the main thread can
 * fail the dataset with the right message or skip the item under --skip-invalid.
 */
import { parentPort } from 'node:worker_threads';
import { isUserError } from './messages.ts';
import { prepareChunk, type ChunkRequest, type ChunkResult } from './prepare-chunk.ts';

if (!parentPort) throw new Error('preprocess-worker.ts must run in a worker thread');
const port = parentPort;

port.on('message', (request: ChunkRequest) => {
  prepareChunk(request).then(
    (result: ChunkResult) => port.postMessage(result, [result.pixels.buffer as ArrayBuffer]),
    (error: unknown) => port.postMessage({ id: request.id, fatal: isUserError(error) ? error.message : String((error as Error)?.stack ?? error) }),
  );
});
