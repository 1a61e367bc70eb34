import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';

/*
 * YAML read defensively: unique keys, no merge keys, no custom tags, a cap on aliases (no
 * "billion laughs"), on nesting depth and on size, and no keys that could touch prototypes.
 * Every value keeps its place in the file so any later error can say line and column.
 */
export const MAX_SOURCE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
const MAX_ALIASES = 50;
/** Indentation plus `-`/`?` indicators on one line: generous, but far below what overflows the parser's stack. */
const MAX_LINE_NESTING = 256;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface SourceProblem {
  line: number;
  column: number;
  pointer: string;
  message: string;
}

export interface YamlSource {
  value: unknown;
  /** The line and column of the value at a JSON path (or of the nearest ancestor that exists). */
  locate(path: (string | number)[], options?: { key?: boolean; offset?: number }): { line: number; column: number };
}

export function pointerOf(path: (string | number)[]): string {
  return path.length ? `/${path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '';
}

export function parseYaml(text: string): { ok: true; source: YamlSource } | { ok: false; problems: SourceProblem[] } {
  if (Buffer.byteLength(text) > MAX_SOURCE_BYTES)
    return fail(1, 1, '', `The file is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB.`);
  const tooDeep = nestingBeyondLimits(text);
  if (tooDeep) return fail(tooDeep.line, 1, '', tooDeep.message);
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    merge: false,
    strict: true,
    prettyErrors: false,
    customTags: [],
  });
  const at = (offset: number) => {
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const problems: SourceProblem[] = [];
  const hinted = new Set<number>();
  let sourceLines: string[] | undefined;
  for (const error of doc.errors) {
    const { line, column } = at(error.pos[0]);
    // The classic trap: `key: ${{ a ? b : c }}` unquoted, where YAML reads ': ' as a mapping.
    if (
      error.code !== 'DUPLICATE_KEY' &&
      unquotedExpressionWithColon((sourceLines ??= text.split('\n'))[line - 1] ?? '')
    ) {
      if (!hinted.has(line)) problems.push({ line, column, pointer: '', message: UNQUOTED_COLON });
      hinted.add(line);
      continue;
    }
    problems.push({
      line,
      column,
      pointer: '',
      message:
        error.code === 'DUPLICATE_KEY'
          ? `This key appears twice in the same mapping: keep one.`
          : `YAML syntax error: ${firstLine(error.message)}`,
    });
  }
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    const { line, column } = at(warning.pos[0]);
    problems.push({
      line,
      column,
      pointer: '',
      message: `${firstLine(warning.message)}: custom YAML tags are not allowed; remove the tag.`,
    });
  }
  if (problems.length) return { ok: false, problems };

  const structure = checkStructure(doc, at);
  if (structure.length) return { ok: false, problems: structure };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    return fail(1, 1, '', `The document expands too much (${(error as Error).message}). Use fewer aliases.`);
  }
  return {
    ok: true,
    source: {
      value,
      locate(path, options = {}) {
        const node = nodeAt(doc, path, options.key ?? false);
        if (!node?.range) return { line: 1, column: 1 };
        const base = node.range[0];
        const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') ? 1 : 0;
        return at(base + (options.offset !== undefined ? options.offset + quoted : 0));
      },
    },
  };
}

/**
 * The YAML parser recurses once per nesting level, and a few kilobytes of `[[[[…` overflow its
 * stack (the process can die of it). So before parsing, the token stream (flat, and fast) is
 * scanned for flow collections nested beyond MAX_DEPTH and for lines nested absurdly deep.
 */
function nestingBeyondLimits(text: string): { line: number; message: string } | null {
  let line = 1;
  let flow = 0;
  let onLine = 0;
  let lineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      flow += 1;
      if (flow > MAX_DEPTH) return { line, message: `The document nests deeper than ${MAX_DEPTH} levels.` };
    } else if (token === ']' || token === '}') {
      flow = Math.max(0, flow - 1);
    } else if (token === '-' || token === '?' || (lineStart && /^[ \t]+$/.test(token))) {
      onLine += token === '-' || token === '?' ? 1 : token.length;
      if (onLine > MAX_LINE_NESTING) return { line, message: `Line ${line} is indented or nested too deeply.` };
    }
    const newlines = token.split('\n').length - 1;
    lineStart = newlines > 0;
    if (newlines) {
      line += newlines;
      onLine = 0;
    }
  }
  return null;
}

// A `\0` escape: PostgreSQL cannot store the character, and no playbook needs it.
const NUL_MESSAGE = 'Text may not contain the NUL character (U+0000); remove the \\0 escape.';

/** Depth, forbidden keys, non-string keys and NUL characters, checked without recursion so deep input cannot overflow the stack. */
function checkStructure(doc: Document, at: (offset: number) => { line: number; column: number }): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!node || isAlias(node)) continue;
    const range = (node as Node).range;
    if (depth > MAX_DEPTH) {
      const { line, column } = at(range?.[0] ?? 0);
      return [{ line, column, pointer: '', message: `The document nests deeper than ${MAX_DEPTH} levels.` }];
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key === 'string' && key.includes('\u0000')) {
          const { line, column } = at((pair.key as Node).range?.[0] ?? 0);
          problems.push({ line, column, pointer: '', message: NUL_MESSAGE });
        } else if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
          const { line, column } = at((pair.key as Node).range?.[0] ?? 0);
          problems.push({ line, column, pointer: '', message: `'${key}' is not allowed as a key.` });
        } else if (
          typeof key === 'string' &&
          key.trimStart().startsWith('${{') &&
          isScalar(pair.key) &&
          pair.key.type === 'PLAIN'
        ) {
          // `- ${{ a ? b : c }}` is valid YAML: a mapping from "${{ a ? b" to "c }}". Never what was meant.
          const { line, column } = at((pair.key as Node).range?.[0] ?? 0);
          problems.push({ line, column, pointer: '', message: UNQUOTED_COLON });
        } else if (typeof key !== 'string' && typeof key !== 'number') {
          const { line, column } = at((pair.key as Node | null)?.range?.[0] ?? range?.[0] ?? 0);
          problems.push({ line, column, pointer: '', message: 'Keys must be plain strings.' });
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\u0000')) {
      const { line, column } = at(range?.[0] ?? 0);
      problems.push({ line, column, pointer: '', message: NUL_MESSAGE });
    }
  }
  return problems;
}

function nodeAt(doc: Document, path: (string | number)[], key: boolean): Node | null {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return (node as Node) ?? null;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) return node as Node;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  return key && keyNode ? keyNode : ((node as Node | null) ?? keyNode);
}

function fail(
  line: number,
  column: number,
  pointer: string,
  message: string,
): { ok: false; problems: SourceProblem[] } {
  return { ok: false, problems: [{ line, column, pointer, message }] };
}

const UNQUOTED_COLON =
  "This expression contains ': ', which YAML reads as the start of a mapping: quote the whole value, e.g. user: '${{ a ? b : c }}' (or in double quotes).";

/** Is this line a value that starts with an unquoted `${{` and holds ': ' inside? */
function unquotedExpressionWithColon(line: string): boolean {
  const value = /(?:^\s*-\s+|:\s+)(\$\{\{.*)$/.exec(line)?.[1];
  return value !== undefined && /:\s/.test(value.slice(3));
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
