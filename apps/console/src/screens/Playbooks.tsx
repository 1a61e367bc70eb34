import { Badge, Button, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { Link } from '../router';
import { Can, Failure, Loading, Screen, StatusBadge, When } from '../ui';

export function Playbooks() {
  const playbooks = useQuery({ queryKey: ['playbooks'], queryFn: () => ok(api.GET('/api/v1/playbooks')) });
  const recent = useQuery({
    queryKey: ['runs', 'recent'],
    queryFn: () => ok(api.GET('/api/v1/runs', { params: { query: { limit: 500 } } })),
  });
  const lastRun = (id: string) => recent.data?.items.find((r) => r.playbook?.id === id);
  return (
    <Screen
      title="Playbooks"
      actions={
        <Can role="author">
          <Button component={Link} to="/playbooks/new">
            New playbook
          </Button>
        </Can>
      }
    >
      <Failure error={playbooks.error} />
      {playbooks.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Playbook</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Triggers</Table.Th>
            <Table.Th>Automation</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th>Updated</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {playbooks.data?.items.map((p) => {
            const last = lastRun(p.id);
            return (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Link to={`/playbooks/${p.id}`}>{p.id}</Link>
                  <Text size="xs" c="dimmed">
                    {p.name}
                  </Text>
                </Table.Td>
                <Table.Td>v{p.version}</Table.Td>
                <Table.Td>
                  {p.triggers.length
                    ? `${p.triggers.length} alert trigger${p.triggers.length > 1 ? 's' : ''}`
                    : 'manual only'}
                </Table.Td>
                <Table.Td>
                  {p.enabled ? <Badge color="green">enabled</Badge> : <Badge color="gray">disabled</Badge>}
                </Table.Td>
                <Table.Td>
                  {last ? (
                    <Link to={`/runs/${last.id}`}>
                      <StatusBadge status={last.status} />
                    </Link>
                  ) : (
                    '—'
                  )}
                </Table.Td>
                <Table.Td>
                  <When at={p.updatedAt} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Screen>
  );
}
