import { type ActionView, RESOURCE_DISPLAY_NAMES } from '@riposte/actions';
import { ERROR_CODES, type ErrorCodeInfo } from '@riposte/errors';

/**
 * Parts of README.md and docs/API.md written from the code, between `<!-- NAME:begin … -->` and
 * `<!-- NAME:end -->`. `npm run cli -- docs` rewrites them; a test fails when they drift.
 */
export const GENERATED_DOCUMENTS = ['README.md', 'docs/API.md'] as const;

/** One Markdown table of every action: id, what it does, whether it changes the tenant, its inverse and the app roles it needs. */
export function renderActionTable(actions: readonly ActionView[]): string {
  const rows = [...actions]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((a) => {
      const roles = a.requiredRoles.map((r) => `${RESOURCE_DISPLAY_NAMES[r.resource]} \`${r.role}\``).join(', ') || '–';
      const inverse = a.inverse ? `\`${a.inverse}\`` : '–';
      return `| \`${a.id}\` | ${cell(a.title)} | ${a.destructive ? 'yes' : 'no'} | ${inverse} | ${roles} |`;
    });
  return ['| id | what it does | changes the tenant | inverse | app roles |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

/** The error catalogue: code, where it appears, HTTP status, whether steps retry it by default, meaning. */
export function renderErrorTable(codes: Record<string, ErrorCodeInfo> = ERROR_CODES): string {
  const where = { http: 'API', step: 'step', both: 'API, step' };
  const rows = Object.entries(codes).map(
    ([code, info]) =>
      `| \`${code}\` | ${where[info.where]} | ${info.status ?? '–'} | ${info.retried ? 'yes' : 'no'} | ${cell(info.meaning)} |`,
  );
  return ['| code | in | HTTP | retried by default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Replaces the generated block NAME of a Markdown document; a document without that block is returned unchanged. */
export function replaceBlock(document: string, name: string, content: string): string {
  const begin = new RegExp(`<!-- ${name}:begin[^>]*-->`).exec(document);
  const endMarker = `<!-- ${name}:end -->`;
  const end = document.indexOf(endMarker);
  if (!begin || end < begin.index) return document;
  const head = document.slice(0, begin.index + begin[0].length);
  return `${head}\n${content}\n${document.slice(end)}`;
}

/** Every generated block of a document, rewritten. */
export function regenerate(document: string, actions: readonly ActionView[]): string {
  return replaceBlock(replaceBlock(document, 'actions', renderActionTable(actions)), 'errors', renderErrorTable());
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
