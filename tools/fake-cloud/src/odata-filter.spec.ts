import { describe, expect, it } from 'vitest';
import { FilterError, compileFilter, normalizeDateTime } from './odata-filter.js';
import { applyListQuery, nextLink } from './odata-query.js';

const FIELDS = ['name', 'status', 'severity', 'when', 'tags', 'score', 'owner', 'enabled'];
const items = [
  {
    name: "O'Brien-PC",
    status: 'new',
    severity: 'high',
    when: '2026-11-20T09:00:00.1234567Z',
    tags: ['VIP', 'Finance'],
    score: 5,
    owner: null,
    enabled: true,
  },
  {
    name: 'desk-2',
    status: 'resolved',
    severity: 'low',
    when: '2026-11-20T09:00:00.1234568Z',
    tags: [],
    score: 9,
    owner: 'x',
    enabled: false,
  },
  {
    name: 'DESK-3',
    status: 'inProgress',
    severity: 'high',
    when: '2026-11-21T00:00:00Z',
    tags: ['finance'],
    score: 1,
    owner: 'y',
    enabled: true,
  },
];
const run = (filter: string) => items.filter(compileFilter(filter, FIELDS, 'thing')).map((i) => i.name);

describe('odata $filter', () => {
  it.each([
    ["name eq 'o''brien-pc'", ["O'Brien-PC"]],
    ["status ne 'resolved' and severity eq 'HIGH'", ["O'Brien-PC", 'DESK-3']],
    ["status eq 'resolved' or score lt 2", ['desk-2', 'DESK-3']],
    ['when ge 2026-11-20T09:00:00.1234568Z', ['desk-2', 'DESK-3']],
    ['when gt 2026-11-20T09:00:00.1234567Z and when lt 2026-11-21T00:00:00Z', ['desk-2']],
    ["when le '2026-11-20T10:00:01+01:00'", ["O'Brien-PC", 'desk-2']],
    ["when lt '2026-11-20T10:00:00.1234568+01:00'", ["O'Brien-PC"]],
    ["tags/any(t: t eq 'finance')", ["O'Brien-PC", 'DESK-3']],
    ['owner eq null', ["O'Brien-PC"]],
    ['enabled eq false', ['desk-2']],
    ['score ge 5', ["O'Brien-PC", 'desk-2']],
  ])('%s', (filter, expected) => {
    expect(run(filter)).toEqual(expected);
  });

  it.each([
    ["colour eq 'red'", /Could not find a property named 'colour' on type 'thing'/],
    ["name eq 'open", /Unterminated string/],
    ['name eq', /ends too early/],
    ["name like 'x'", /unknown operator 'like'/],
    ["status in ('new', 'inProgress')", /unknown operator 'in'/],
    ["not (severity eq 'high')", /unknown operator/],
    ["(name eq 'x'", /ends too early/],
    ["(name eq 'x',", /expected '\)' but found ','/],
    ["name eq 'x' severity", /unexpected 'severity'/],
  ])('refuses %s', (filter, message) => {
    expect(() => compileFilter(filter, FIELDS)).toThrow(FilterError);
    expect(() => compileFilter(filter, FIELDS, 'thing')).toThrow(message);
  });

  it('normalises date-times to UTC with seven fractional digits', () => {
    expect(normalizeDateTime('2026-11-20T10:00:00.5+01:00')).toBe('2026-11-20T09:00:00.5000000Z');
    expect(normalizeDateTime('2026-11-20')).toBe('2026-11-20T00:00:00.0000000Z');
    expect(normalizeDateTime('yesterday')).toBeUndefined();
  });
});

describe('odata list queries', () => {
  const options = { filterFields: FIELDS, orderFields: ['when', 'score'], entity: 'thing', defaultTop: 2, maxTop: 2 };

  it('orders stably, pages with $skip/$top and caps $top', () => {
    const page = applyListQuery(items, new URLSearchParams('$orderby=when desc&$top=50'), options);
    expect(page.items.map((i) => i.name)).toEqual(['DESK-3', 'desk-2']);
    expect(page).toMatchObject({ count: 3, nextSkip: 2 });
    const last = applyListQuery(items, new URLSearchParams('$skip=2'), options);
    expect(last.items.map((i) => i.name)).toEqual(['DESK-3']);
    expect(last.nextSkip).toBeUndefined();
    expect(() => applyListQuery(items, new URLSearchParams('$orderby=name'), options)).toThrow(FilterError);
    expect(() => applyListQuery(items, new URLSearchParams('$top=-1'), options)).toThrow(FilterError);
  });

  it('builds readable next links that keep the other options', () => {
    const link = nextLink(
      'https://127.0.0.1:1/graph/v1.0/security/alerts_v2',
      new URLSearchParams("$filter=status eq 'new'&$top=2"),
      2,
    );
    expect(link).toBe("https://127.0.0.1:1/graph/v1.0/security/alerts_v2?$filter=status%20eq%20'new'&$top=2&$skip=2");
    expect(new URL(link).searchParams.get('$filter')).toBe("status eq 'new'");
  });
});
