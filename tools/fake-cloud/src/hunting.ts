/**
 * A very small advanced hunting engine for the fake: `Table | where Col <op> "value" [and …] |
 * project a, b | take N`, with `==`, `!=`, `=~`, `has`, `contains`, `startswith` and `ago(Nd|h|m)`
 * time filters (`Timestamp > ago(7d)`). Enough for rehearsals; anything else is refused as
 * the real service refuses a query it cannot parse.
 */
export type HuntingRow = Record<string, string | number | boolean | null>;

export class HuntingError extends Error {}

const COMPARE =
  /^([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|=~|>=|<=|>|<|\bhas\b|\bcontains\b|\bstartswith\b)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|ago\((\d+)([dhm])\)|(-?\d+(?:\.\d+)?))$/i;

export function runHunting(
  query: string,
  tables: Record<string, HuntingRow[]>,
  now = Date.now(),
): { schema: { name: string; type: string }[]; results: HuntingRow[] } {
  const [source, ...stages] = query.split('|').map((s) => s.trim());
  const table = Object.keys(tables).find((t) => t.toLowerCase() === source?.toLowerCase());
  if (!table)
    throw new HuntingError(
      `'${source}' is not a table this workspace has (tables: ${Object.keys(tables).join(', ')}).`,
    );
  let rows = tables[table]!;
  let columns = Object.keys(rows[0] ?? {});
  for (const stage of stages) {
    const [verb, ...rest] = stage.split(/\s+/);
    const arg = rest.join(' ');
    switch (verb?.toLowerCase()) {
      case 'where': {
        const clauses = arg.split(/\s+and\s+/i).map((c) => parseClause(c, now));
        rows = rows.filter((row) => clauses.every((test) => test(row)));
        break;
      }
      case 'take':
      case 'limit': {
        const n = Number(arg);
        if (!Number.isInteger(n) || n < 0) throw new HuntingError(`'${verb}' needs a row count.`);
        rows = rows.slice(0, n);
        break;
      }
      case 'project': {
        const picked = arg.split(',').map((c) => c.trim());
        for (const c of picked)
          if (!columns.includes(c)) throw new HuntingError(`'project' operator: failed to resolve column '${c}'.`);
        columns = picked;
        rows = rows.map((r) => Object.fromEntries(picked.map((c) => [c, r[c] ?? null])));
        break;
      }
      default:
        throw new HuntingError(`Query could not be parsed at '${stage}'.`);
    }
  }
  const sample = tables[table]![0] ?? {};
  return {
    schema: columns.map((name) => ({
      name,
      type:
        typeof sample[name] === 'number'
          ? 'Int64'
          : typeof sample[name] === 'boolean'
            ? 'Boolean'
            : name === 'Timestamp'
              ? 'DateTime'
              : 'String',
    })),
    results: rows,
  };
}

function parseClause(clause: string, now: number): (row: HuntingRow) => boolean {
  const m = COMPARE.exec(clause.trim());
  if (!m) throw new HuntingError(`Query could not be parsed at '${clause}'.`);
  const [, column, rawOp, dq, sq, agoN, agoUnit, num] = m;
  const op = rawOp!.toLowerCase();
  const value: string | number = agoN
    ? new Date(
        now - Number(agoN) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[agoUnit!.toLowerCase() as 'd' | 'h' | 'm'],
      ).toISOString()
    : num !== undefined
      ? Number(num)
      : (dq ?? sq ?? '');
  return (row) => {
    const cell = row[column!];
    if (cell === undefined || cell === null) return false;
    const a = String(cell);
    const b = String(value);
    switch (op) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '=~':
        return a.toLowerCase() === b.toLowerCase();
      case 'has':
        return new RegExp(`(^|[^A-Za-z0-9])${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`, 'i').test(a);
      case 'contains':
        return a.toLowerCase().includes(b.toLowerCase());
      case 'startswith':
        return a.toLowerCase().startsWith(b.toLowerCase());
      case '>':
        return typeof cell === 'number' ? cell > Number(value) : a > b;
      case '>=':
        return typeof cell === 'number' ? cell >= Number(value) : a >= b;
      case '<':
        return typeof cell === 'number' ? cell < Number(value) : a < b;
      default:
        return typeof cell === 'number' ? cell <= Number(value) : a <= b;
    }
  };
}
