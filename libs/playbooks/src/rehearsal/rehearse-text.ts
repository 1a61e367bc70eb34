import type { ActionLookup } from '../action-lookup.js';
import { loadPlaybook } from '../loader/playbook-loader.js';
import type { PlaybookError } from '../loader/problem.js';
import { parseRehearsalFile, rehearse, type RehearsalResult } from './rehearsal.js';

/** How a rehearsal sent as text ended, as plain data (it is answered from a worker thread). */
export type TextRehearsal =
  | { stage: 'playbook'; errors: PlaybookError[] }
  | { stage: 'rehearsal'; errors: string[] }
  | { stage: 'mismatch'; playbook: string; rehearsalFor: string }
  | { stage: 'done'; playbook: string; cases: RehearsalResult[] };

/** A playbook and a rehearsal file, both as YAML text: checked in that order, then every case run. */
export async function rehearseText(
  playbookText: string,
  rehearsalText: string,
  actions: ActionLookup,
): Promise<TextRehearsal> {
  const loaded = loadPlaybook(playbookText, { file: 'playbook.yaml', actions });
  if (!loaded.ok) return { stage: 'playbook', errors: loaded.errors };
  const parsed = parseRehearsalFile(rehearsalText);
  if (!parsed.ok) return { stage: 'rehearsal', errors: parsed.errors };
  const id = loaded.playbook.definition.id;
  if (parsed.file.playbook !== id) return { stage: 'mismatch', playbook: id, rehearsalFor: parsed.file.playbook };
  const cases: RehearsalResult[] = [];
  for (const testCase of parsed.file.cases) cases.push(await rehearse(loaded.playbook, testCase));
  return { stage: 'done', playbook: id, cases };
}
