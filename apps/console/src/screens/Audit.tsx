import { Button, Group, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import { Failure, Loading, Screen, StatusBadge, When } from '../ui';

export function Audit() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [filters, setFilters] = useState({ actor: '', action: '' });
  const audit = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/audit', {
          params: {
            query: {
              limit: 100,
              ...(filters.actor ? { actor: filters.actor } : {}),
              ...(filters.action ? { action: filters.action } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Screen title="Audit">
      <form onSubmit={(e) => (e.preventDefault(), setFilters({ actor, action }))}>
        <Group align="end" mb="sm">
          <TextInput label="Actor" value={actor} onChange={(e) => setActor(e.currentTarget.value)} />
          <TextInput
            label="Action"
            placeholder="e.g. run.decide"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      <Text size="sm" c="dimmed" mb="xs">
        Each record carries the hash of the one before it; `npm run cli -- audit verify` checks the whole chain.
      </Text>
      <Failure error={audit.error} />
      {audit.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Entity</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td>{r.seq}</Table.Td>
              <Table.Td>
                <When at={r.at} />
              </Table.Td>
              <Table.Td>
                {r.actor} ({r.actorRole})
              </Table.Td>
              <Table.Td>{r.action}</Table.Td>
              <Table.Td>
                <StatusBadge status={r.result} />
              </Table.Td>
              <Table.Td>{r.targetEntity ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {audit.hasNextPage && (
        <Button variant="default" mt="sm" onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
          More
        </Button>
      )}
    </Screen>
  );
}
