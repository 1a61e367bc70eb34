/**
 * A small OData `$filter` parser and evaluator (no dynamic code), no larger than what Riposte and its
 * tests send: comparisons (`eq ne gt ge lt le`), `and`/`or`, parentheses, and `any` lambdas over
 * arrays (Defender's machine tags). Anything else is refused as the real APIs refuse a bad filter.
 * String comparisons are case-insensitive, as Graph's and Defender's are for the fields the fake filters on.
 * Date-times compare at 100 ns precision (Graph's seven fractional digits).
 */

export class FilterError extends Error {}

type CmpOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'datetime'; value: string };

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; op: CmpOp; path: string[]; value: Literal }
  | { kind: 'any'; path: string[]; variable: string; predicate: Node };

type Token = { t: 'ident' | 'string' | 'raw' | 'punct'; v: string; at: number };

const CMP_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `2021-04-27T12:19:27.72Z` → `2021-04-27T12:19:27.7200000Z` (UTC), or undefined when it is not a date-time. */
export function normalizeDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [, date, hh = '00', mm = '00', ss = '00', fraction = '', zone = 'Z'] = m;
  let base = `${date}T${hh}:${mm}:${ss}`;
  if (zone.toUpperCase() !== 'Z') {
    const shifted = new Date(`${base}${zone}`);
    if (Number.isNaN(shifted.getTime())) return undefined;
    base = shifted.toISOString().slice(0, 19);
  } else if (Number.isNaN(Date.parse(`${base}Z`))) {
    return undefined;
  }
  return `${base}.${fraction.padEnd(7, '0').slice(0, 7)}Z`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('(),:'.includes(c)) {
      tokens.push({ t: 'punct', v: c, at: i++ });
    } else if (c === "'") {
      let value = '';
      const at = i++;
      for (;;) {
        if (i >= text.length) throw new FilterError(`Unterminated string literal at position ${at}.`);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ t: 'string', v: value, at });
    } else {
      const at = i;
      while (i < text.length && !/[\s(),']/.test(text[i]!) && !(text[i] === ':' && !/^[\d-]/.test(text[at]!))) i++;
      const word = text.slice(at, i);
      tokens.push({ t: /^[A-Za-z_$@]/.test(word) && !GUID.test(word) ? 'ident' : 'raw', v: word, at });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  private readonly variables: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    if (this.peek())
      throw new FilterError(`Syntax error at position ${this.peek()!.at}: unexpected '${this.peek()!.v}'.`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new FilterError('Syntax error: the expression ends too early.');
    return token;
  }

  private expect(v: string): void {
    const token = this.next();
    if (token.v !== v)
      throw new FilterError(`Syntax error at position ${token.at}: expected '${v}' but found '${token.v}'.`);
  }

  private keyword(word: string): boolean {
    const token = this.peek();
    if (token?.t === 'ident' && token.v.toLowerCase() === word) {
      this.pos++;
      return true;
    }
    return false;
  }

  private or(): Node {
    let left = this.and();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.primary();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.primary() };
    return left;
  }

  private primary(): Node {
    const token = this.next();
    if (token.v === '(') {
      const node = this.or();
      this.expect(')');
      return node;
    }
    if (token.t !== 'ident')
      throw new FilterError(`Syntax error at position ${token.at}: expected a property but found '${token.v}'.`);
    const lambda = /^(.+)\/any$/i.exec(token.v);
    if (lambda && this.peek()?.v === '(') return this.lambda(lambda[1]!);
    const path = token.v.split('/');
    const op = this.next();
    const opName = op.v.toLowerCase();
    if (op.t !== 'ident' || !CMP_OPS.has(opName))
      throw new FilterError(`Syntax error at position ${op.at}: unknown operator '${op.v}'.`);
    return { kind: 'cmp', op: opName as CmpOp, path, value: this.literal() };
  }

  private lambda(collection: string): Node {
    this.expect('(');
    const variable = this.next();
    if (variable.t !== 'ident')
      throw new FilterError(`Syntax error at position ${variable.at}: expected a lambda variable.`);
    this.expect(':');
    this.variables.push(variable.v);
    const predicate = this.or();
    this.variables.pop();
    this.expect(')');
    return { kind: 'any', path: collection.split('/'), variable: variable.v, predicate };
  }

  private literal(): Literal {
    const token = this.next();
    if (token.t === 'string') return { type: 'string', value: token.v };
    const lower = token.v.toLowerCase();
    if (token.t === 'ident' && (lower === 'true' || lower === 'false'))
      return { type: 'boolean', value: lower === 'true' };
    if (token.t === 'ident' && lower === 'null') return { type: 'null' };
    if (token.t === 'raw') {
      if (GUID.test(token.v)) return { type: 'string', value: token.v };
      if (NUMBER.test(token.v)) return { type: 'number', value: Number(token.v) };
      const datetime = normalizeDateTime(token.v);
      if (datetime) return { type: 'datetime', value: datetime };
    }
    throw new FilterError(`Syntax error at position ${token.at}: '${token.v}' is not a valid literal.`);
  }
}

export type FilterPredicate = (item: Record<string, unknown>) => boolean;

/**
 * Parses a `$filter`. `fields` lists the properties that may be filtered on (matched case-insensitively);
 * any other property is a FilterError, as the real APIs refuse unsupported filter fields.
 */
export function compileFilter(text: string, fields: readonly string[], entity = 'entity'): FilterPredicate {
  const ast = new Parser(tokenize(text)).parse();
  const canonical = new Map(fields.map((f) => [f.toLowerCase(), f]));
  const resolve = (path: string[], scope: readonly string[]): string[] => {
    const [head = '', ...rest] = path;
    if (scope.includes(head)) return path;
    const name = canonical.get(head.toLowerCase());
    if (!name) throw new FilterError(`Could not find a property named '${head}' on type '${entity}'.`);
    return [name, ...rest];
  };
  const bind = (node: Node, scope: readonly string[]): Node => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { ...node, left: bind(node.left, scope), right: bind(node.right, scope) };
      case 'any':
        return { ...node, path: resolve(node.path, scope), predicate: bind(node.predicate, [...scope, node.variable]) };
      default:
        return { ...node, path: resolve(node.path, scope) };
    }
  };
  const bound = bind(ast, []);
  return (item) => evaluate(bound, item, {});
}

function lookup(path: string[], item: Record<string, unknown>, vars: Record<string, unknown>): unknown {
  const [head = '', ...rest] = path;
  let value: unknown = head in vars ? vars[head] : item[head];
  for (const key of rest)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function evaluate(node: Node, item: Record<string, unknown>, vars: Record<string, unknown>): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, item, vars) && evaluate(node.right, item, vars);
    case 'or':
      return evaluate(node.left, item, vars) || evaluate(node.right, item, vars);
    case 'cmp':
      return compare(lookup(node.path, item, vars), node.op, node.value);
    case 'any': {
      const list = lookup(node.path, item, vars);
      return Array.isArray(list) && list.some((el) => evaluate(node.predicate, item, { ...vars, [node.variable]: el }));
    }
  }
}

function order(a: string | number, b: string | number, op: CmpOp): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

function compare(actual: unknown, op: CmpOp, literal: Literal): boolean {
  if (literal.type === 'null') return op === 'eq' ? actual == null : op === 'ne' ? actual != null : false;
  if (actual == null) return op === 'ne';
  switch (literal.type) {
    case 'datetime': {
      const value = typeof actual === 'string' ? normalizeDateTime(actual) : undefined;
      return value !== undefined && order(value, literal.value, op);
    }
    case 'number':
      return typeof actual === 'number' && order(actual, literal.value, op);
    case 'boolean':
      return (
        typeof actual === 'boolean' &&
        (op === 'eq' ? actual === literal.value : op === 'ne' ? actual !== literal.value : false)
      );
    case 'string': {
      if (typeof actual === 'number') return order(actual, Number(literal.value), op);
      if (typeof actual !== 'string') return false;
      // A quoted date-time against a date-time property still compares as time, not text.
      const [left, right] = [normalizeDateTime(actual), normalizeDateTime(literal.value)];
      if (left && right && op !== 'eq' && op !== 'ne') return order(left, right, op);
      return order(actual.toLowerCase(), literal.value.toLowerCase(), op);
    }
  }
}
