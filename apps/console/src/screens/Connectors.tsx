import { Button, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, roleAllows } from '../api/client';
import { Can, Failure, Loading, Screen, StatusBadge, When, useMe } from '../ui';

export function Connectors() {
  const me = useMe();
  const client = useQueryClient();
  const connectors = useQuery({ queryKey: ['connectors'], queryFn: () => ok(api.GET('/api/v1/connectors')) });
  const refresh = () => client.invalidateQueries({ queryKey: ['connectors'] });
  const configure = useMutation({
    mutationFn: (c: { connectionTarget: string; feed: 'alerts' | 'incidents'; enabled: boolean }) =>
      ok(
        api.PUT('/api/v1/connectors/{connectionTarget}/{feed}', {
          params: { path: { connectionTarget: c.connectionTarget, feed: c.feed } },
          body: { enabled: c.enabled } as never,
        }),
      ),
    onSuccess: refresh,
  });
  const poll = useMutation({
    mutationFn: (c: { connectionTarget: string; feed: string }) =>
      ok(api.POST('/api/v1/connectors/{connectionTarget}/{feed}/poll', { params: { path: c } })),
    onSuccess: refresh,
  });
  return (
    <Screen title="Connectors">
      <Failure error={connectors.error ?? configure.error ?? poll.error} />
      {connectors.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Connection target</Table.Th>
            <Table.Th>Feed</Table.Th>
            <Table.Th>Polling</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last poll</Table.Th>
            <Table.Th>Last success</Table.Th>
            <Table.Th>Cool-down until</Table.Th>
            <Table.Th>Message</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {connectors.data?.items.map((c) => (
            <Table.Tr key={`${c.connectionTarget}/${c.feed}`}>
              <Table.Td>{c.connectionTarget}</Table.Td>
              <Table.Td>{c.feed}</Table.Td>
              <Table.Td>
                <Switch
                  checked={c.enabled}
                  disabled={!roleAllows(me.role, 'admin')}
                  aria-label={`Poll ${c.feed} of ${c.connectionTarget}`}
                  onChange={(e) =>
                    configure.mutate({
                      connectionTarget: c.connectionTarget,
                      feed: c.feed,
                      enabled: e.currentTarget.checked,
                    })
                  }
                  label={`every ${Math.round(c.intervalSeconds / 60)} min`}
                />
              </Table.Td>
              <Table.Td>
                <StatusBadge status={c.status} />
              </Table.Td>
              <Table.Td>
                <When at={c.lastPollAt} />
              </Table.Td>
              <Table.Td>
                <When at={c.lastSuccessAt} />
              </Table.Td>
              <Table.Td>
                <When at={c.cooldownUntil} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.message ?? ''}</Text>
              </Table.Td>
              <Table.Td>
                <Can role="admin">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => poll.mutate({ connectionTarget: c.connectionTarget, feed: c.feed })}
                    loading={poll.isPending}
                  >
                    Poll now
                  </Button>
                </Can>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Screen>
  );
}
