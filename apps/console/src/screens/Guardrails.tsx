import { Alert, Button, Card, Group, Select, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import { Can, Failure, Loading, Screen } from '../ui';

export function Guardrails() {
  const client = useQueryClient();
  const guardrails = useQuery({ queryKey: ['guardrails'], queryFn: () => ok(api.GET('/api/v1/guardrails')) });
  const refresh = () => client.invalidateQueries({ queryKey: ['guardrails'] });
  const [reason, setReason] = useState('');
  const [kind, setKind] = useState<string | null>('user');
  const [value, setValue] = useState('');
  const [why, setWhy] = useState('');
  const pause = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/automation/pause', { body: { reason } as never })),
    onSuccess: refresh,
  });
  const resume = useMutation({ mutationFn: () => ok(api.POST('/api/v1/automation/resume')), onSuccess: refresh });
  const protect = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/guardrails/protected', { body: { kind, value, ...(why ? { reason: why } : {}) } as never })),
    onSuccess: () => (setValue(''), setWhy(''), void refresh()),
  });
  const unprotect = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/v1/guardrails/protected/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  if (guardrails.error) return <Failure error={guardrails.error} />;
  if (!guardrails.data) return <Loading />;
  const g = guardrails.data;
  return (
    <Screen title="Guardrails">
      <Failure error={pause.error ?? resume.error ?? protect.error ?? unprotect.error} />
      <Card withBorder mb="md" component="section" aria-label="Kill switch">
        <Text fw={600}>Kill switch</Text>
        {g.automation.paused ? (
          <Alert color="orange" my="xs" title="Automation is paused">
            Since {g.automation.since ? new Date(g.automation.since).toLocaleString() : '?'} by {g.automation.by ?? '?'}
            {g.automation.reason ? `: ${g.automation.reason}` : ''}
          </Alert>
        ) : (
          <Text size="sm" c="dimmed">
            Automation runs. Pausing holds alert-fired runs before their next destructive action.
          </Text>
        )}
        <Group mt="xs" align="end">
          <Can role="analyst">
            {!g.automation.paused && (
              <>
                <TextInput label="Reason" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
                <Button color="red" onClick={() => pause.mutate()} loading={pause.isPending}>
                  Pause automation
                </Button>
              </>
            )}
          </Can>
          <Can role="admin">
            {g.automation.paused && (
              <Button onClick={() => resume.mutate()} loading={resume.isPending}>
                Resume automation
              </Button>
            )}
          </Can>
        </Group>
      </Card>
      <Card withBorder mb="md" component="section" aria-label="Limits">
        <Text fw={600}>Limits</Text>
        <Text size="sm">
          Protect directory role holders: {g.protectDirectoryRoles ? 'yes' : 'no'} · protect Riposte's own app:{' '}
          {g.protectOwnApp ? 'yes' : 'no'} · at most {g.maxEntitiesPerRun} entities per run
        </Text>
        <Table mt="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Action</Table.Th>
              <Table.Th>Budget</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {Object.entries(g.budgets).map(([action, b]) => (
              <Table.Tr key={action}>
                <Table.Td>{action}</Table.Td>
                <Table.Td>
                  {b.limit} per {Math.round(b.windowSeconds / 60)} min
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder component="section" aria-label="Protected entities">
        <Text fw={600}>Protected entities</Text>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {g.protected.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.kind}</Table.Td>
                <Table.Td>{p.value}</Table.Td>
                <Table.Td>{p.reason ?? ''}</Table.Td>
                <Table.Td>{p.source}</Table.Td>
                <Table.Td>
                  <Can role="admin">
                    {p.source === 'api' && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => unprotect.mutate(p.id)}>
                        Remove
                      </Button>
                    )}
                  </Can>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Can role="admin">
          <Stack mt="sm">
            <Group align="end">
              <Select
                label="Kind"
                data={['user', 'group', 'machine', 'machineTag']}
                value={kind}
                onChange={setKind}
                w={140}
              />
              <TextInput label="Value" value={value} onChange={(e) => setValue(e.currentTarget.value)} />
              <TextInput label="Reason" value={why} onChange={(e) => setWhy(e.currentTarget.value)} />
              <Button onClick={() => protect.mutate()} disabled={!value} loading={protect.isPending}>
                Protect
              </Button>
            </Group>
          </Stack>
        </Can>
      </Card>
    </Screen>
  );
}
