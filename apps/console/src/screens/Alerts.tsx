import { Button, Card, Group, Select, Stack, Table, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import { Link } from '../router';
import { Can, Failure, Json, Loading, Screen, StatusBadge, When } from '../ui';

export function Alerts() {
  const [severity, setSeverity] = useState<string | null>(null);
  const alerts = useQuery({
    queryKey: ['alerts', severity],
    queryFn: () =>
      ok(api.GET('/api/v1/alerts', { params: { query: { limit: 200, ...(severity ? { severity } : {}) } } })),
  });
  return (
    <Screen title="Alerts">
      <Select
        label="Severity"
        data={['high', 'medium', 'low', 'informational']}
        value={severity}
        onChange={setSeverity}
        clearable
        w={200}
        mb="sm"
      />
      <Failure error={alerts.error} />
      {alerts.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Alert</Table.Th>
            <Table.Th>Severity</Table.Th>
            <Table.Th>Users</Table.Th>
            <Table.Th>Devices</Table.Th>
            <Table.Th>Source</Table.Th>
            <Table.Th>Received</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {alerts.data?.items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <Link to={`/alerts/${a.id}`}>{a.title}</Link>
              </Table.Td>
              <Table.Td>{a.severity}</Table.Td>
              <Table.Td>{a.users.map((u) => u.userPrincipalName ?? u.accountName).join(', ')}</Table.Td>
              <Table.Td>{a.devices.map((d) => d.deviceDnsName ?? d.mdeDeviceId).join(', ')}</Table.Td>
              <Table.Td>{a.serviceSource ?? a.source}</Table.Td>
              <Table.Td>
                <When at={a.receivedAt} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {alerts.data?.items.length === 0 && <Text c="dimmed">No alert yet.</Text>}
    </Screen>
  );
}

export function AlertDetail({ id }: { id: string }) {
  const alert = useQuery({
    queryKey: ['alerts', 'detail', id],
    queryFn: () => ok(api.GET('/api/v1/alerts/{id}', { params: { path: { id } } })),
  });
  if (alert.error) return <Failure error={alert.error} />;
  if (!alert.data) return <Loading />;
  const a = alert.data;
  return (
    <Screen title={a.title}>
      <Text size="sm" c="dimmed" mb="sm">
        {a.severity} · {a.status} · {a.serviceSource ?? a.source} · received <When at={a.receivedAt} />
      </Text>
      <Tabs defaultValue="entities">
        <Tabs.List>
          <Tabs.Tab value="entities">Entities</Tabs.Tab>
          <Tabs.Tab value="runs">Runs ({a.runs.length})</Tabs.Tab>
          <Tabs.Tab value="raw">Raw payload</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="entities" pt="sm">
          <Stack>
            {a.users.map((u, i) => (
              <Card key={`u${i}`} withBorder p="xs">
                <Group justify="space-between">
                  <Text size="sm">User {u.userPrincipalName ?? u.azureAdUserId ?? u.accountName}</Text>
                  <Can role="analyst">
                    <Button
                      size="xs"
                      variant="light"
                      component={Link}
                      to={`/respond?action=azure_ad.disable_user&user=${encodeURIComponent(u.userPrincipalName ?? u.azureAdUserId ?? '')}`}
                    >
                      Respond…
                    </Button>
                  </Can>
                </Group>
              </Card>
            ))}
            {a.devices.map((d, i) => (
              <Card key={`d${i}`} withBorder p="xs">
                <Group justify="space-between">
                  <Text size="sm">Device {d.deviceDnsName ?? d.mdeDeviceId}</Text>
                  <Can role="analyst">
                    <Button
                      size="xs"
                      variant="light"
                      component={Link}
                      to={`/respond?action=defender.isolate_machine&machine=${encodeURIComponent(d.mdeDeviceId ?? d.deviceDnsName ?? '')}`}
                    >
                      Respond…
                    </Button>
                  </Can>
                </Group>
              </Card>
            ))}
            {a.ips.map((ip) => (
              <Text size="sm" key={ip.address}>
                IP {ip.address}
              </Text>
            ))}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="runs" pt="sm">
          {a.runs.map((r) => (
            <Group key={r.id}>
              <Link to={`/runs/${r.id}`}>{r.playbook ?? 'run'}</Link>
              <StatusBadge status={r.status} />
              <When at={r.createdAt} />
            </Group>
          ))}
        </Tabs.Panel>
        <Tabs.Panel value="raw" pt="sm">
          <Json value={a.raw} />
        </Tabs.Panel>
      </Tabs>
    </Screen>
  );
}
