import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PreparedWrite, WriteJob, WritePreparer } from '../domain/prepare-write';
import { ownedBuffer, type PreparerReply, type PreparerRequest, type PreparerThreadData, preparerFrom } from './write-preparer-protocol';

/** The decode threads went away under a request (crashed or closing): the request can be retried. */
export class PreparerUnavailableError extends Error {
  override readonly name = 'PreparerUnavailableError';
}

export interface WritePreparerPoolOptions {
  /** Decode threads; 0 prepares on the event loop. */
  readonly threads: number;
  readonly data: PreparerThreadData;
  /** Told when a thread exits unasked (it is replaced). */
  readonly onThreadExit?: (detail: string) => void;
}

interface Pending {
  resolve(result: PreparedWrite): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

// Workers run plain Node: the TypeScript hook is loaded first unless the thread inherited it (-r).
const REGISTER = join(__dirname, '..', '..', '..', '..', 'tools', 'register.js');
const ENTRY = join(__dirname, 'write-preparer.worker.ts');
const BOOTSTRAP = `if (!require.extensions['.ts']) require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(ENTRY)});`;

/**
 * A decode thread allocates a request's worth of short-lived objects per job: a young generation of
 * 192 MiB (64 MiB semi-spaces, as --max-semi-space-size=64; V8's default is 16) means fewer
 * scavenges. With it on every thread, the receiver used ~15 % less CPU per sample (bench/README.md).
 */
const YOUNG_GENERATION_MB = 192;

/**
 * Decode, relabel, fingerprinting, mapping and envelope encoding of remote_write bodies on worker
 * threads, so the event loop keeps only HTTP, admission, the raw-series mapper and the producer: one
 * Node thread saturates long before the machine does (bench/README.md). Jobs go to the thread with
 * the fewest in flight. A thread that dies fails its jobs with PreparerUnavailableError (the sender
 * retries; nothing of them was acknowledged) and is replaced.
 */
export class WritePreparerPool {
  private readonly threads: Thread[] = [];
  private readonly inline: WritePreparer | undefined;
  private nextId = 1;
  private closing = false;

  constructor(private readonly options: WritePreparerPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${options.threads}`);
    if (options.threads === 0) this.inline = preparerFrom(options.data);
    for (let i = 0; i < options.threads; i++) this.threads.push(this.spawn());
  }

  get size(): number {
    return this.threads.length;
  }

  /** Jobs handed to threads and not answered yet. */
  get inFlight(): number {
    return this.threads.reduce((sum, t) => sum + t.pending.size, 0);
  }

  /** Prepares `job`; its body is handed over to the thread (not copied) when it owns its memory, and must not be used after. */
  prepare(job: WriteJob): Promise<PreparedWrite> {
    if (this.inline) {
      try {
        return Promise.resolve(this.inline.prepare(job));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (this.closing) return Promise.reject(new PreparerUnavailableError('the decode threads are shutting down'));
    if (this.threads.length === 0) return Promise.reject(new PreparerUnavailableError('no decode thread is running (one is being restarted); retry'));
    let thread = this.threads[0];
    for (const t of this.threads) if (t.pending.size < thread.pending.size) thread = t;
    const id = this.nextId++;
    const request: PreparerRequest = { id, job };
    const body = ownedBuffer(job.body);
    return new Promise<PreparedWrite>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(request, body ? [body] : []);
    });
  }

  /** Fails what is in flight and stops the threads. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** Ends one thread as a crash would (for tests of the replacement path). */
  async killThreadForTest(index = 0): Promise<void> {
    await this.threads[index]?.worker.terminate();
  }

  private spawn(): Thread {
    const startedAt = Date.now();
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.options.data, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: PreparerReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if ('error' in reply) pending.reject(new Error(`decode thread: ${reply.error}`));
      else pending.resolve(reply.result);
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      const detail = failure ? `${failure.name}: ${failure.message}` : `exit code ${code}`;
      for (const p of thread.pending.values()) p.reject(new PreparerUnavailableError(`the decode thread ended (${detail}) with the request in flight; retry`));
      thread.pending.clear();
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      if (this.closing) return;
      this.options.onThreadExit?.(detail);
      // A thread that dies at once (a broken install) is restarted once a second, not in a busy loop.
      const delay = Date.now() - startedAt < 5_000 ? 1_000 : 0;
      setTimeout(() => {
        if (!this.closing) this.threads.push(this.spawn());
      }, delay).unref();
    });
    worker.unref();
    return thread;
  }
}
