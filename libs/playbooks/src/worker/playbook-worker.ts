import { parentPort, workerData } from 'node:worker_threads';
import type { ActionLookup } from '../action-lookup.js';
import { checkPlaybook } from '../loader/playbook-loader.js';
import { rehearseText } from '../rehearsal/rehearse-text.js';
import type { ActionManifest, PlaybookTask, WorkerReply } from './messages.js';

/*
 * The worker thread of the playbook pool: parses, validates and checks uploaded playbook text
 * (and runs rehearsals) so that the service's event loop never waits on it. Answers plain data.
 */
const manifest = (workerData as { actions: ActionManifest }).actions;
const actions: ActionLookup = {
  ids: () => Object.keys(manifest),
  get: (id) => (Object.hasOwn(manifest, id) ? manifest[id] : undefined),
};

async function run(task: PlaybookTask): Promise<unknown> {
  if (task.kind === 'check') return checkPlaybook(task.text, { file: task.file, actions });
  // Outputs come from expressions: made JSON, as the API answers them, so they can be cloned.
  return JSON.parse(JSON.stringify(await rehearseText(task.playbook, task.rehearsal, actions))) as unknown;
}

// Its modules are loaded (static imports come first): from now on the pool's clock runs.
parentPort?.postMessage({ ready: true } satisfies WorkerReply);
parentPort?.on('message', (message: { id: number; task: PlaybookTask }) => {
  run(message.task).then(
    (result) => parentPort?.postMessage({ id: message.id, ok: true, result } satisfies WorkerReply),
    (error: unknown) =>
      parentPort?.postMessage({ id: message.id, ok: false, message: (error as Error)?.message ?? String(error) }),
  );
});
