/**
 * Worker thread body of the data path: receives chunks of dataset items, reads and
 * preprocesses each into one transferable Float32Array, and reports per-item user
 * errors (corrupt tiff, wrong band count) instead of dying, so the main thread can
 * fail the dataset with the right message or skip the item under --skip-invalid.
 */
import { prepareChunk, type ChunkRequest, type ChunkResult } from './chunk.ts';
import { serveJobs } from '../core/thread-pool.ts';

serveJobs<ChunkRequest, ChunkResult>(prepareChunk, (result) => [result.pixels.buffer as ArrayBuffer]);
