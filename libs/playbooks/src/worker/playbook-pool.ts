import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { RiposteError, UnavailableError } from '@riposte/errors';
import type { ActionLookup } from '../action-lookup.js';
import type { ActionManifest, PlaybookTask, TaskAnswers, WorkerReply } from './messages.js';

export interface PlaybookPoolOptions {
  /** The action catalogue as data: asked for when the worker starts, which is on the first job. */
  actions: () => ActionManifest;
  /** Jobs waiting behind the one being done; an upload beyond them is refused with 503. */
  maxQueue?: number;
  /** The text those jobs may hold together (characters); an upload beyond it is refused with 503. */
  maxQueuedText?: number;
  /** A job taking longer (once the worker has started) is stopped, 503, and its worker replaced. */
  timeoutMs?: number;
  /** The worker's heap; a job that needs more is refused (422) and its worker replaced. */
  maxMemoryMb?: number;
}

interface Job {
  id: number;
  task: PlaybookTask;
  size: number;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

const RETRY_AFTER_SECONDS = 1;

/**
 * One worker thread that checks uploaded playbooks (YAML, schema, semantic checks) and runs
 * rehearsals, so that a large upload never holds the event loop. One thread: the service runs on
 * small machines, and the loop itself needs a core. Jobs are done one at a time, so a time or
 * memory bound stops the job that broke it and no other; the worker is started on the first job (not at
 * startup) and replaced after it is terminated.
 */
export class PlaybookPool {
  private worker: Worker | null = null;
  private running: { job: Job; worker: Worker; timer: NodeJS.Timeout | null } | null = null;
  private readonly ready = new WeakSet<Worker>();
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;
  private queuedText = 0;
  private readonly maxQueue: number;
  private readonly maxQueuedText: number;
  private readonly timeoutMs: number;
  private readonly maxMemoryMb: number;

  constructor(private readonly options: PlaybookPoolOptions) {
    // Authors upload a few at a time; a script may send a folder at once. 256 small playbooks or
    // 64 of the largest (256 KB) wait, and no more: the waiting texts stay within 16 MB.
    this.maxQueue = options.maxQueue ?? 256;
    this.maxQueuedText = options.maxQueuedText ?? 16 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxMemoryMb = options.maxMemoryMb ?? 256;
  }

  /** Does a job in the worker; refused with 503 when the queue is full. */
  run<K extends PlaybookTask['kind']>(task: Extract<PlaybookTask, { kind: K }>): Promise<TaskAnswers[K]> {
    if (this.closed) return Promise.reject(unavailable('The service is stopping; playbooks are not checked.'));
    const size = textOf(task);
    if (this.waiting.length >= this.maxQueue || this.queuedText + size > this.maxQueuedText)
      return Promise.reject(
        unavailable(`${this.waiting.length + 1} playbooks are being checked already; try again shortly.`),
      );
    return new Promise<TaskAnswers[K]>((resolve, reject) => {
      this.queuedText += size;
      this.waiting.push({ id: this.nextId++, task, size, resolve: resolve as (r: unknown) => void, reject });
      this.next();
    });
  }

  /** Refuses what waits and stops the worker (on shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    this.queuedText = 0;
    for (const job of this.waiting.splice(0)) job.reject(unavailable('The service is stopping.'));
    this.finish()?.reject(unavailable('The service is stopping.'));
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private next(): void {
    if (this.running || this.closed) return;
    const job = this.waiting.shift();
    if (!job) return;
    this.queuedText -= job.size;
    this.worker ??= this.start();
    const worker = this.worker;
    this.running = { job, worker, timer: null };
    // The clock runs once the worker has loaded its modules: a slow start is not the job's doing.
    if (this.ready.has(worker)) this.startClock();
    worker.postMessage({ id: job.id, task: job.task });
  }

  private startClock(): void {
    const running = this.running;
    if (!running || running.timer) return;
    running.timer = setTimeout(() => {
      if (this.running !== running) return;
      this.replace(running.worker);
      this.finish()?.reject(
        // A wall-clock bound: a busy machine may reach it too, so the answer is "try again", not "invalid".
        unavailable(
          `Checking the playbook took longer than ${this.timeoutMs / 1000} s and was stopped (a busy machine or a playbook too complex to check); try again later.`,
        ),
      );
      this.next();
    }, this.timeoutMs);
  }

  private start(): Worker {
    const worker = new Worker(workerFile(), {
      workerData: { actions: this.options.actions() },
      resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb },
    });
    // A worker never keeps the process alive: close() ends it, and so does the process.
    worker.unref();
    let failure: (Error & { code?: string }) | null = null;
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        this.ready.add(worker);
        if (this.running?.worker === worker) this.startClock();
        return;
      }
      if (this.running?.job.id !== reply.id) return;
      const job = this.finish()!;
      if (reply.ok) job.resolve(reply.result);
      else job.reject(unavailable(`Checking the playbook failed: ${reply.message}`));
      this.next();
    });
    worker.on('error', (error) => (failure = error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      if (this.running?.worker !== worker) return;
      const job = this.finish()!;
      job.reject(
        failure?.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? tooComplex(`needed more than ${this.maxMemoryMb} MB`)
          : unavailable('The playbook checker stopped unexpectedly; try again.'),
      );
      this.next();
    });
    return worker;
  }

  /** The job being done, now done with (its timer cleared). */
  private finish(): Job | undefined {
    const running = this.running;
    if (!running) return undefined;
    if (running.timer) clearTimeout(running.timer);
    this.running = null;
    return running.job;
  }

  /** Stops a worker stuck on a job; the next job starts a fresh one. */
  private replace(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}

function textOf(task: PlaybookTask): number {
  return task.kind === 'check' ? task.text.length : task.playbook.length + task.rehearsal.length;
}

/** The catalogue's ids and input schemas as plain JSON, for a worker's checks. */
export function actionManifest(lookup: ActionLookup): ActionManifest {
  const manifest: ActionManifest = {};
  for (const id of lookup.ids()) {
    const action = lookup.get(id);
    if (action) manifest[id] = { inputSchema: action.inputSchema, destructive: action.destructive };
  }
  // Schemas may carry symbols and functions (TypeBox): only their JSON reaches the checks.
  return JSON.parse(JSON.stringify(manifest)) as ActionManifest;
}

function unavailable(message: string): UnavailableError {
  return new UnavailableError(message, RETRY_AFTER_SECONDS, 'playbook_checker_unavailable');
}

function tooComplex(what: string): RiposteError {
  return new RiposteError('unprocessable', `Checking the playbook ${what}; it is refused.`, 'playbook_too_complex');
}

/**
 * The worker's file. Built (dist/, swc), it is the .js beside this module. Under Vitest the
 * sources run as TypeScript through Vitest's transform, which a worker thread (plain Node) does
 * not have: the worker is then the built file (the test setup builds dist/ first).
 */
function workerFile(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./playbook-worker.js', import.meta.url);
  const built = new URL('../../../../dist/libs/playbooks/src/worker/playbook-worker.js', import.meta.url);
  if (!existsSync(built))
    throw new Error(`The playbook worker is not built (${built.pathname}): run npm run build:server.`);
  return built;
}
