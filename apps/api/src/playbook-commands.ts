import { readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  type ActionLookup,
  formatErrors,
  loadPlaybook,
  parseRehearsalFile,
  PLAYBOOK_SCHEMA,
  rehearse,
  toMermaid,
} from '@riposte/playbooks';

/*
 * The playbook author's commands. They need no database and no Nest: `npm run playbooks -- …`
 * (playbooks-cli.ts) loads only the playbook language and the actions' input schemas, so a check
 * answers in well under a second; `npm run cli -- playbooks …` offers the same commands.
 */
const yamlFiles = (paths: string[]) =>
  paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => /\.ya?ml$/.test(f) && !f.includes('.rehearsal.'))
          .map((f) => join(p, f))
      : [p],
  );

/** Checks every file; returns how many have errors. */
function validate(paths: string[], actions: ActionLookup): number {
  let failed = 0;
  for (const file of yamlFiles(paths)) {
    const result = loadPlaybook(readFileSync(file, 'utf8'), { file, actions });
    if (result.ok)
      process.stdout.write(
        `${file}: ok (${result.playbook.definition.id}, ${result.playbook.compiled.index.steps.size} steps)\n`,
      );
    else {
      failed += 1;
      process.stdout.write(`${formatErrors(result.errors)}\n`);
    }
  }
  if (failed) process.stderr.write(`${failed} file(s) with errors.\n`);
  return failed;
}

/** `actions` gives the catalogue's lookup; it is asked for once, when a command runs. */
export function addPlaybookCommands(playbooks: Command, actions: () => Promise<ActionLookup>): Command {
  playbooks
    .command('validate <paths...>')
    .description('Check playbook files (or folders); compiler-style errors, exit code 1 if any')
    .option('--watch', 'check again whenever a file there changes (Ctrl-C to stop)')
    .action(async (paths: string[], options: { watch?: boolean }) => {
      const lookup = await actions();
      const failed = validate(paths, lookup);
      if (!options.watch) {
        if (failed) process.exitCode = 1;
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      for (const path of paths) {
        watch(path, () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            process.stdout.write(`\n[${new Date().toLocaleTimeString()}] checking again\n`);
            validate(paths, lookup);
          }, 100);
        });
      }
      process.stderr.write(`Watching ${paths.join(', ')} (Ctrl-C to stop).\n`);
    });

  playbooks
    .command('graph <file>')
    .description('Print the compiled state machine as a Mermaid diagram')
    .action(async (file: string) => {
      const result = loadPlaybook(readFileSync(file, 'utf8'), { file, actions: await actions() });
      if (!result.ok) {
        process.stdout.write(`${formatErrors(result.errors)}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(toMermaid(result.playbook.compiled));
    });

  playbooks
    .command('test [paths...]')
    .description(
      'Run rehearsals (*.rehearsal.yaml): each playbook with scripted action results; default playbooks/tests',
    )
    .action(async (paths: string[]) => {
      const lookup = await actions();
      const files = (paths.length ? paths : ['playbooks/tests']).flatMap((p) =>
        statSync(p).isDirectory()
          ? readdirSync(p)
              .filter((f) => f.endsWith('.rehearsal.yaml'))
              .map((f) => join(p, f))
          : [p],
      );
      let passed = 0;
      let failed = 0;
      for (const file of files) {
        const parsed = parseRehearsalFile(readFileSync(file, 'utf8'));
        if (!parsed.ok) {
          failed += 1;
          process.stdout.write(`${file}:\n  ${parsed.errors.join('\n  ')}\n`);
          continue;
        }
        // The playbook sits next to the tests folder: playbooks/tests/x.rehearsal.yaml → playbooks/x.yaml.
        const playbookFile = join(dirname(dirname(file)), `${parsed.file.playbook}.yaml`);
        const loaded = loadPlaybook(readFileSync(playbookFile, 'utf8'), { file: playbookFile, actions: lookup });
        if (!loaded.ok) {
          failed += 1;
          process.stdout.write(`${formatErrors(loaded.errors)}\n`);
          continue;
        }
        process.stdout.write(`${basename(file)} (${parsed.file.playbook})\n`);
        for (const testCase of parsed.file.cases) {
          const result = await rehearse(loaded.playbook, testCase);
          if (result.passed) passed += 1;
          else failed += 1;
          process.stdout.write(
            `  ${result.passed ? 'ok  ' : 'FAIL'} ${result.name}\n${result.problems.map((p) => `       ${p}\n`).join('')}`,
          );
        }
      }
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
      if (failed) process.exitCode = 1;
    });

  playbooks
    .command('schema')
    .description('Print the JSON Schema of the playbook format (docs/playbook.schema.json is this)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(PLAYBOOK_SCHEMA, null, 2)}\n`);
    });

  return playbooks;
}
