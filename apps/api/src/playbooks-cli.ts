import { Command } from 'commander';
import { cachedActionLookup } from './action-manifest.js';
import { addPlaybookCommands } from './playbook-commands.js';

/** `npm run playbooks -- validate playbooks/ [--watch]`: the author's loop, without Nest or a database. */
const program = addPlaybookCommands(
  new Command('riposte-playbooks').description('Tools for playbook authors').showHelpAfterError(),
  cachedActionLookup,
);
program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
