import { Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Link, navigate, useLocation } from '../router';
import { Failure, Screen, StatusBadge, When } from '../ui';

type Status = NonNullable<Schemas['RunSummary']['status']>;
const STATUSES: Status[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];
const ROW = 41;
/** Relative windows, read again at each fetch so "last hour" stays the last hour. */
const WITHIN: Record<string, { label: string; ms: number }> = {
  '1h': { label: 'Last hour', ms: 3_600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
};
const WHEN_CHOICES = [
  ...Object.entries(WITHIN).map(([value, { label }]) => ({ value, label })),
  { value: 'between', label: 'Between…' },
];
type Cursor = { cursor: string | null; from?: string };

/** `datetime-local` speaks local time without a zone; the API speaks ISO 8601 UTC. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? ''
    : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Every run, newest first; filters live in the URL so a list can be linked to. */
export function Runs() {
  const { query } = useLocation();
  const status = (query.get('status') as Status | null) ?? undefined;
  const playbook = query.get('playbook') ?? undefined;
  const alert = query.get('alert') ?? undefined;
  const target = query.get('target') ?? undefined;
  const within = query.get('within') ?? (query.get('from') || query.get('to') ? 'between' : null);
  const fromParam = query.get('from');
  const toParam = query.get('to');
  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/runs${next.size ? `?${next}` : ''}`, true);
  };
  const setWithin = (value: string | null) => {
    const next = new URLSearchParams(query);
    next.delete('from');
    next.delete('to');
    if (value && value !== 'between') next.set('within', value);
    else next.delete('within');
    if (value === 'between') next.set('from', new Date(Date.now() - 86_400_000).toISOString());
    navigate(`/runs${next.size ? `?${next}` : ''}`, true);
  };
  const relative = within && WITHIN[within] ? within : null;
  const span = relative ? { within: relative } : { from: fromParam ?? undefined, to: toParam ?? undefined };
  const runs = useInfiniteQuery({
    queryKey: ['runs', { status, playbook, alert, target, ...span }],
    queryFn: async ({ pageParam }) => {
      // A relative window is fixed when the first page is read, so the pages after it follow the same one.
      const from = pageParam.from ?? (relative ? new Date(Date.now() - WITHIN[relative]!.ms).toISOString() : span.from);
      const page = await ok(
        api.GET('/api/v1/runs', {
          params: {
            query: {
              status,
              playbook,
              alert,
              connectionTarget: target,
              from,
              to: span.to,
              limit: 200,
              cursor: pageParam.cursor ?? undefined,
            },
          },
        }),
      );
      return { ...page, from };
    },
    initialPageParam: { cursor: null } as Cursor,
    getNextPageParam: (last): Cursor | undefined =>
      last.nextCursor ? { cursor: last.nextCursor, ...(last.from ? { from: last.from } : {}) } : undefined,
  });
  const rows = runs.data?.pages.flatMap((p) => p.items) ?? [];
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW,
    overscan: 20,
  });
  const items = virtual.getVirtualItems();
  const last = items.at(-1);
  if (last && last.index >= rows.length - 40 && runs.hasNextPage && !runs.isFetchingNextPage) void runs.fetchNextPage();
  const top = items[0]?.start ?? 0;
  const bottom = virtual.getTotalSize() - (last?.end ?? 0);

  return (
    <Screen title="Runs">
      <Group mb="sm" align="end">
        <Select
          label="Status"
          data={STATUSES}
          value={status ?? null}
          onChange={(v) => setFilter('status', v)}
          clearable
          w={160}
        />
        <TextInput
          label="Playbook"
          defaultValue={playbook}
          onBlur={(e) => setFilter('playbook', e.currentTarget.value.trim() || null)}
          w={200}
        />
        <TextInput
          label="Alert id"
          defaultValue={alert}
          onBlur={(e) => setFilter('alert', e.currentTarget.value.trim() || null)}
          w={300}
        />
        <Select
          label="Created"
          placeholder="Any time"
          data={WHEN_CHOICES}
          value={within}
          onChange={setWithin}
          clearable
          w={170}
        />
        {within === 'between' && (
          <>
            <TextInput
              type="datetime-local"
              label="From"
              defaultValue={toLocal(fromParam)}
              onBlur={(e) => setFilter('from', toIso(e.currentTarget.value) ?? null)}
              w={210}
            />
            <TextInput
              type="datetime-local"
              label="To"
              defaultValue={toLocal(toParam)}
              onBlur={(e) => setFilter('to', toIso(e.currentTarget.value) ?? null)}
              w={210}
            />
          </>
        )}
        <TextInput
          label="Connection target"
          defaultValue={target}
          onBlur={(e) => setFilter('target', e.currentTarget.value.trim() || null)}
          w={200}
        />
        <Button variant="default" onClick={() => navigate('/runs', true)}>
          Clear
        </Button>
      </Group>
      <Failure error={runs.error} />
      <div
        ref={parent}
        style={{ height: 'calc(100vh - 220px)', overflow: 'auto' }}
        data-testid="runs-scroller"
        tabIndex={0}
        aria-label="Runs list"
      >
        <Table striped highlightOnHover stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Playbook or action</Table.Th>
              <Table.Th>Trigger</Table.Th>
              <Table.Th>Connection target</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {top > 0 && <tr style={{ height: top }} aria-hidden />}
            {items.map((item) => {
              const run = rows[item.index]!;
              return (
                <Table.Tr key={run.id} style={{ height: ROW }} data-testid="run-row">
                  <Table.Td>
                    <Link to={`/runs/${run.id}`}>{run.id.slice(0, 8)}</Link>
                    {run.dryRun && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        dry run
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={run.status} />
                  </Table.Td>
                  <Table.Td>{run.playbook ? `${run.playbook.id} v${run.playbook.version}` : run.kind}</Table.Td>
                  <Table.Td>
                    {run.trigger.type === 'alert'
                      ? 'alert'
                      : `${run.trigger.type}${run.trigger.by ? ` · ${run.trigger.by}` : ''}`}
                  </Table.Td>
                  <Table.Td>{run.connectionTarget ?? '—'}</Table.Td>
                  <Table.Td>
                    <When at={run.createdAt} />
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {bottom > 0 && <tr style={{ height: bottom }} aria-hidden />}
          </Table.Tbody>
        </Table>
        {runs.isSuccess && rows.length === 0 && <Text c="dimmed">No run matches.</Text>}
      </div>
    </Screen>
  );
}
