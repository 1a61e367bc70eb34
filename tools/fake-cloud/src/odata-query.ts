import { FilterError, compileFilter, normalizeDateTime } from './odata-filter.js';

export interface ListQueryOptions {
  /** Properties `$filter` may name. */
  filterFields: readonly string[];
  /** Properties `$orderby` may name. */
  orderFields: readonly string[];
  /** Type name used in error messages (`microsoft.graph.security.alert`). */
  entity: string;
  defaultTop: number;
  maxTop: number;
}

export interface ListPage<T> {
  items: T[];
  /** Total after filtering (for `$count=true`). */
  count: number;
  /** `$skip` of the next page, when there is one. */
  nextSkip?: number;
}

/**
 * Applies `$filter`, `$orderby`, `$skip` and `$top` to a list. Ordering is stable: ties keep insertion order,
 * so pages never overlap or skip items while the list is unchanged. Throws FilterError on a bad query.
 */
export function applyListQuery<T extends object>(
  all: T[],
  query: URLSearchParams,
  options: ListQueryOptions,
): ListPage<T> {
  let items = all;
  const filter = query.get('$filter');
  if (filter !== null && filter.trim()) {
    const predicate = compileFilter(filter, options.filterFields, options.entity);
    items = items.filter((item) => predicate(item as Record<string, unknown>));
  }
  const orderby = query.get('$orderby');
  if (orderby !== null && orderby.trim()) items = sortBy(items, orderby, options);
  const skip = parseCount(query.get('$skip'), '$skip', 0);
  const top = Math.min(parseCount(query.get('$top'), '$top', options.defaultTop), options.maxTop);
  const page = items.slice(skip, skip + top);
  const end = skip + page.length;
  return { items: page, count: items.length, ...(end < items.length && top > 0 ? { nextSkip: end } : {}) };
}

function parseCount(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw new FilterError(`Invalid value '${value}' for query option ${name}.`);
  return Number(value);
}

function sortBy<T extends object>(items: T[], orderby: string, options: ListQueryOptions): T[] {
  const canonical = new Map(options.orderFields.map((f) => [f.toLowerCase(), f]));
  const keys = orderby.split(',').map((part) => {
    const [name = '', direction = 'asc', extra] = part.trim().split(/\s+/);
    const field = canonical.get(name.toLowerCase());
    if (!field || extra !== undefined || !/^(asc|desc)$/i.test(direction)) {
      throw new FilterError(`Invalid $orderby clause '${part.trim()}' for type '${options.entity}'.`);
    }
    return { field, sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
  });
  const sortable = (value: unknown): string | number => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return '';
    return normalizeDateTime(value) ?? value.toLowerCase();
  };
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      for (const { field, sign } of keys) {
        const [x, y] = [
          sortable((a.item as Record<string, unknown>)[field]),
          sortable((b.item as Record<string, unknown>)[field]),
        ];
        if (x < y) return -sign;
        if (x > y) return sign;
      }
      return a.index - b.index;
    })
    .map(({ item }) => item);
}

/** The same query with a new `$skip`: an absolute `@odata.nextLink` back to the fake. */
export function nextLink(base: string, query: URLSearchParams, skip: number): string {
  const params = new URLSearchParams(query);
  params.set('$skip', String(skip));
  return buildLink(base, params);
}

/** An absolute link with OData's readable encoding (`$filter=status%20eq%20'new'`, not `%24filter=status+eq+...`). */
export function buildLink(base: string, params: URLSearchParams): string {
  const text = params.toString().replaceAll('+', '%20').replaceAll('%24', '$').replaceAll('%27', "'");
  return text ? `${base}?${text}` : base;
}
