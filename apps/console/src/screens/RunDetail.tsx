import { Accordion, Alert, Button, Card, Group, List, Modal, Stack, Table, Tabs, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { api, newIdempotencyKey, ok } from '../api/client';
import { Link, navigate } from '../router';
import { Can, Failure, Json, Loading, Screen, StatusBadge, When } from '../ui';

const Graph = lazy(() => import('../Graph'));

function duration(start: string | null, end: string | null): string {
  if (!start) return '—';
  const ms = (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function RunDetail({ id }: { id: string }) {
  const client = useQueryClient();
  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => ok(api.GET('/api/v1/runs/{id}', { params: { path: { id } } })),
  });
  const actions = useQuery({
    queryKey: ['actions'],
    queryFn: () => ok(api.GET('/api/v1/actions')),
    staleTime: Infinity,
  });
  const changes = useQuery({
    queryKey: ['changes', { run: id }],
    queryFn: () => ok(api.GET('/api/v1/changes', { params: { query: { run: id, limit: 200 } } })),
  });
  const playbookId = run.data?.playbook?.id;
  const graph = useQuery({
    queryKey: ['graph', playbookId],
    enabled: Boolean(playbookId),
    queryFn: async () => {
      const response = await fetch(`/api/v1/playbooks/${encodeURIComponent(playbookId!)}/graph`, {
        headers: { Authorization: `Bearer ${sessionStorage.getItem('riposte.key') ?? ''}` },
      });
      return response.ok ? response.text() : null;
    },
  });
  const [confirmRevert, setConfirmRevert] = useState(false);
  const cancel = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/runs/{id}/cancel', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['run', id] }),
  });
  const [revertKey] = useState(newIdempotencyKey);
  const revert = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/runs/{id}/revert', { params: { path: { id }, header: { 'Idempotency-Key': revertKey } } })),
    onSuccess: (answer) => navigate(`/runs/${answer.runId}`),
  });
  const statuses = useMemo(() => Object.fromEntries((run.data?.steps ?? []).map((s) => [s.id, s.status])), [run.data]);

  if (run.error) return <Failure error={run.error} />;
  if (!run.data) return <Loading />;
  const r = run.data;
  const catalogue = new Map((actions.data ?? []).map((a) => [a.id, a]));
  const undo = r.steps
    .filter(
      (s) =>
        s.status === 'succeeded' &&
        s.action &&
        catalogue.get(s.action)?.destructive &&
        catalogue.get(s.action)?.inverse,
    )
    .reverse()
    .map((s) => ({ step: s.id, inverse: catalogue.get(s.action!)!.inverse!, input: s.input }));
  const active = ['queued', 'running', 'waiting'].includes(r.status);

  return (
    <Screen
      title={`Run ${r.id.slice(0, 8)}`}
      actions={
        <Can role="analyst">
          {active && (
            <Button color="red" variant="light" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel run
            </Button>
          )}
          {!active && !r.dryRun && undo.length > 0 && (
            <Button variant="light" onClick={() => setConfirmRevert(true)}>
              Revert…
            </Button>
          )}
        </Can>
      }
    >
      <Failure error={cancel.error ?? revert.error} />
      <Card withBorder mb="md" data-testid="run-summary">
        <Group>
          <StatusBadge status={r.status} />
          <Text size="sm">{r.playbook ? `Playbook ${r.playbook.id} v${r.playbook.version}` : 'Simple response'}</Text>
          <Text size="sm">
            Trigger: {r.trigger.type}
            {r.trigger.by ? ` by ${r.trigger.by}` : ''}
            {r.trigger.alertId && (
              <>
                {' '}
                (<Link to={`/alerts/${r.trigger.alertId}`}>alert</Link>)
              </>
            )}
            {r.trigger.revertOf && (
              <>
                {' '}
                of <Link to={`/runs/${r.trigger.revertOf}`}>run {r.trigger.revertOf.slice(0, 8)}</Link>
              </>
            )}
          </Text>
          <Text size="sm">Target: {r.connectionTarget ?? '—'}</Text>
          {r.dryRun && <Text size="sm">dry run</Text>}
          <Text size="sm">
            Created <When at={r.createdAt} />, took {duration(r.startedAt, r.endedAt)}
          </Text>
        </Group>
        {r.reason && <Text size="sm">Reason: {r.reason}</Text>}
        {r.error && (
          <Text size="sm" c="red">
            {r.error.code}: {r.error.message}
          </Text>
        )}
      </Card>
      {(r.waitingFor ?? []).length > 0 && (
        <Alert color="orange" title="Waiting for" mb="md">
          <List size="sm">
            {r.waitingFor!.map((w) => (
              <List.Item key={w.step}>
                {w.step}: {w.prompt} ({w.kind}
                {w.deadline ? `, until ${new Date(w.deadline).toLocaleString()}` : ''}) —{' '}
                <Link to="/approvals">decide in the inbox</Link>
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Tabs defaultValue="steps">
        <Tabs.List>
          <Tabs.Tab value="steps">Steps</Tabs.Tab>
          {playbookId && <Tabs.Tab value="graph">Graph</Tabs.Tab>}
          <Tabs.Tab value="changes">Changes in Azure</Tabs.Tab>
          <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="steps" pt="sm">
          <Accordion multiple>
            {r.steps.map((s) => (
              <Accordion.Item key={s.id} value={s.id}>
                <Accordion.Control>
                  <Group>
                    <StatusBadge status={s.status} />
                    <Text size="sm" fw={600}>
                      {s.id}
                    </Text>
                    <Text size="sm" c="dimmed">
                      {s.action ?? ''} · {duration(s.startedAt, s.endedAt)} · {s.attempts} attempt
                      {s.attempts === 1 ? '' : 's'}
                    </Text>
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="xs">
                    <Text size="sm">Input</Text>
                    <Json value={s.input} />
                    <Text size="sm">Output</Text>
                    <Json value={s.output} />
                    {s.error && (
                      <>
                        <Text size="sm">Error</Text>
                        <Json value={s.error} />
                      </>
                    )}
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        </Tabs.Panel>
        {playbookId && (
          <Tabs.Panel value="graph" pt="sm">
            <Suspense fallback={<Loading />}>
              {graph.data ? <Graph source={graph.data} statuses={statuses} /> : <Loading />}
            </Suspense>
          </Tabs.Panel>
        )}
        <Tabs.Panel value="changes" pt="sm">
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Action</Table.Th>
                <Table.Th>Entity</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {changes.data?.items.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>{c.action}</Table.Td>
                  <Table.Td>{c.entity}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={c.status} />
                  </Table.Td>
                  <Table.Td>
                    <When at={c.at} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {changes.data?.items.length === 0 && <Text c="dimmed">This run changed nothing in Azure.</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="timeline" pt="sm">
          <Table>
            <Table.Tbody>
              {(r.timeline ?? []).map((e, i) => (
                <Table.Tr key={i}>
                  <Table.Td>{new Date(e.at).toLocaleTimeString()}</Table.Td>
                  <Table.Td>{e.type}</Table.Td>
                  <Table.Td>{e.step ?? ''}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {e.detail ? JSON.stringify(e.detail) : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Tabs.Panel>
      </Tabs>
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={confirmRevert}
        onClose={() => setConfirmRevert(false)}
        title="Revert this run?"
      >
        <Text size="sm">
          A new run will send these inverse actions, newest first. Nothing is sent until you confirm.
        </Text>
        <List size="sm" my="sm">
          {undo.map((u) => (
            <List.Item key={u.step}>
              {u.inverse} for step {u.step} on {JSON.stringify(u.input)}
            </List.Item>
          ))}
        </List>
        <Group justify="end">
          <Button variant="default" onClick={() => setConfirmRevert(false)}>
            Keep as is
          </Button>
          <Button color="orange" onClick={() => revert.mutate()} loading={revert.isPending}>
            Send {undo.length} inverse action{undo.length === 1 ? '' : 's'}
          </Button>
        </Group>
      </Modal>
    </Screen>
  );
}
