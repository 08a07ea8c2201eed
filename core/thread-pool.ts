/**
 * A fixed set of worker threads that answer jobs, shared by the evaluator's data path
 * (pipeline.ts) and the classify/retrieve image preparation (inference-workers.ts).
 *
 * The worker module calls `serveJobs(handler)`; the main thread's `ThreadPool.run(job)`
 * resolves with the handler's result, rejects with the handler's UserError (its code,
 * message and file kept across the thread boundary) or with a plain Error for anything
 * else, including a crashed thread. Jobs queue when every thread is busy; idle threads
 * do not keep the process alive.
 */
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { ErrorCode, isUserError, UserError } from './errors.ts';

const bootstrap = fileURLToPath(new URL('./worker-bootstrap.mjs', import.meta.url));

type Reply<R> =
  | { id: number; result: R }
  | { id: number; userError: { code: ErrorCode; message: string; file?: string } }
  | { id: number; fatal: string };

interface Pending<R> {
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/** In a worker module: answers every job with `handle`, moving the buffers `transferOf` names. */
export function serveJobs<J extends { id: number }, R>(handle: (job: J) => Promise<R>, transferOf: (result: R) => ArrayBuffer[] = () => []): void {
  if (!parentPort) throw new Error('serveJobs must run in a worker thread');
  const port = parentPort;
  port.on('message', (job: J) => {
    handle(job).then(
      (result) => port.postMessage({ id: job.id, result } satisfies Reply<R>, transferOf(result)),
      (error: unknown) => port.postMessage(isUserError(error)
        ? { id: job.id, userError: { code: error.code, message: error.message, file: error.file } }
        : { id: job.id, fatal: String((error as Error)?.stack ?? error) } satisfies Reply<R>),
    );
  });
}

export class ThreadPool<J extends { id: number }, R> {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: J; transfer: ArrayBuffer[]; pending: Pending<R> }[] = [];
  private readonly pending = new Map<number, Pending<R> & { worker: Worker }>();
  private closed = false;

  /** `module`: URL of a module that calls `serveJobs`; `label` names the threads in errors. */
  constructor(module: string, size: number, private readonly label: string) {
    this.size = size;
    for (let index = 0; index < size; index++) {
      const worker = new Worker(bootstrap, { workerData: { module } });
      worker.unref();
      worker.on('message', (reply: Reply<R>) => this.onReply(worker, reply));
      worker.on('error', (error) => this.onCrash(worker, error));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Runs `job` on the next free thread, moving `transfer` to it. */
  run(job: J, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`${this.label} threads are closed`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, transfer, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const { job, transfer, pending } = this.waiting.shift()!;
      this.pending.set(job.id, { ...pending, worker });
      worker.ref();
      worker.postMessage(job, transfer);
    }
  }

  private onReply(worker: Worker, reply: Reply<R>): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    this.pending.delete(reply.id);
    worker.unref();
    this.idle.push(worker);
    if ('result' in reply) entry.resolve(reply.result);
    else if ('userError' in reply) entry.reject(new UserError(reply.userError.code, reply.userError.message, reply.userError.file));
    else entry.reject(new Error(`${this.label} thread failed: ${reply.fatal}`));
    this.dispatch();
  }

  private onCrash(worker: Worker, error: Error): void {
    for (const [id, entry] of this.pending) {
      if (entry.worker !== worker) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.waiting.splice(0)) pending.reject(new Error(`${this.label} stopped`));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
