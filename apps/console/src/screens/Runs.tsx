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

/** Every run, newest first; filters live in the URL so a list can be linked to. */
export function Runs() {
  const { query } = useLocation();
  const status = (query.get('status') as Status | null) ?? undefined;
  const playbook = query.get('playbook') ?? undefined;
  const alert = query.get('alert') ?? undefined;
  const target = query.get('target') ?? '';
  const setFilter = (name: string, value: string | null) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/runs${next.size ? `?${next}` : ''}`, true);
  };
  const runs = useInfiniteQuery({
    queryKey: ['runs', { status, playbook, alert }],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/runs', {
          params: { query: { status, playbook, alert, limit: 200, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = (runs.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => !target || r.connectionTarget === target);
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
