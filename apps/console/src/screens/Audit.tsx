import { Alert, Button, Group, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
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
  const verify = useMutation({ mutationFn: () => ok(api.GET('/api/v1/audit/verify')) });
  return (
    <Screen
      title="Audit"
      actions={
        <Button variant="light" onClick={() => verify.mutate()} loading={verify.isPending}>
          Verify the chain
        </Button>
      }
    >
      <Failure error={verify.error} />
      {verify.data && <Verdict result={verify.data} />}
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
        Each record carries the hash of the one before it, so a record removed or edited breaks the chain where it
        happened. Verify the chain checks every record (as `npm run cli -- audit-verify` does).
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

/** The verification's answer in words: intact, or where the chain breaks and why. */
function Verdict({ result }: { result: Schemas['AuditVerification'] }) {
  const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;
  return result.ok ? (
    <Alert color="green" title="The audit chain is intact" mb="sm" data-testid="audit-verdict">
      <Text size="sm">
        All {records(result.checked)} match their hashes, and each links to the one before it. The last hash is{' '}
        <code>{result.head}</code>: kept somewhere else, it also shows later whether records were cut off the end.
      </Text>
    </Alert>
  ) : (
    <Alert color="red" title="The audit chain is broken" mb="sm" data-testid="audit-verdict">
      <Text size="sm">
        Record #{result.firstBroken?.seq} ({result.firstBroken?.id}) does not fit: {result.firstBroken?.reason}. The{' '}
        {records(result.checked)} before it are intact; the last good hash is <code>{result.head}</code>.
      </Text>
    </Alert>
  );
}
