import { Badge, Button, Card, Group, Stack, Table, Tabs, Text, Textarea } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Link } from '../router';
import { Can, Failure, Json, Loading, Screen, StatusBadge, When } from '../ui';

type Item = { run: Schemas['RunDetail']; wait: Schemas['WaitingFor'] };

const KIND: Record<string, string> = {
  approval: 'Approval step',
  budget: 'Held: budget used up',
  blast_radius: 'Held: too many entities',
  paused: 'Held: automation paused',
};

/** Steps waiting for a person, oldest first. */
export function Approvals() {
  const [last, setLast] = useState<string | null>(null);
  const inbox = useQuery({
    queryKey: ['approvals'],
    queryFn: async () => {
      const waiting = await ok(api.GET('/api/v1/runs', { params: { query: { status: 'waiting', limit: 200 } } }));
      const runs = await Promise.all(
        waiting.items.map((r) => ok(api.GET('/api/v1/runs/{id}', { params: { path: { id: r.id } } }))),
      );
      const items: Item[] = runs.flatMap((run) => (run.waitingFor ?? []).map((wait) => ({ run, wait })));
      return items.sort((a, b) => a.run.createdAt.localeCompare(b.run.createdAt));
    },
  });
  return (
    <Screen title="Approvals">
      <Tabs defaultValue="waiting" keepMounted={false}>
        <Tabs.List mb="sm">
          <Tabs.Tab value="waiting">Waiting{inbox.data ? ` (${inbox.data.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="waiting">
          <Failure error={inbox.error} />
          {inbox.isPending && <Loading />}
          <Text role="status" size="sm" c="green.9" mb={last ? 'sm' : 0}>
            {last}
          </Text>
          {inbox.data?.length === 0 && <Text c="dimmed">Nothing waits for a decision.</Text>}
          <Stack>
            {inbox.data?.map((item) => (
              <ApprovalCard key={`${item.run.id}/${item.wait.step}`} {...item} onDecided={setLast} />
            ))}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="history">
          <History />
        </Tabs.Panel>
      </Tabs>
    </Screen>
  );
}

const DECISION: Record<string, string> = { approve: 'approved', reject: 'rejected' };

/** Decisions people took, newest first (from the audit trail, so exactly the ones that counted). */
function History() {
  const history = useInfiniteQuery({
    queryKey: ['approvals', 'history'],
    queryFn: ({ pageParam }) =>
      ok(
        api.GET('/api/v1/approvals/history', {
          params: { query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const rows = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Failure error={history.error} />
      {history.isPending && <Loading />}
      {history.isSuccess && rows.length === 0 && <Text c="dimmed">No decision taken yet.</Text>}
      {rows.length > 0 && (
        <Table striped aria-label="Decided approvals">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Decided</Table.Th>
              <Table.Th>Decision</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>Run and step</Table.Th>
              <Table.Th>Comment</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id} data-testid="decision-row">
                <Table.Td>
                  <When at={d.decidedAt} />
                </Table.Td>
                <Table.Td>
                  <StatusBadge status={DECISION[d.decision] ?? d.decision} />
                </Table.Td>
                <Table.Td>
                  {d.decidedBy} ({d.decidedByRole})
                </Table.Td>
                <Table.Td>
                  <Link to={`/runs/${d.runId}`}>
                    {d.playbook ? `${d.playbook.id} v${d.playbook.version}` : d.runId.slice(0, 8)}
                  </Link>{' '}
                  · {d.step}
                  {d.kind === 'guardrail_hold' ? ' (held by a guardrail)' : ''}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{d.comment ?? '—'}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {history.hasNextPage && (
        <Button
          variant="default"
          mt="sm"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          More
        </Button>
      )}
    </>
  );
}

function ApprovalCard({ run, wait, onDecided }: Item & { onDecided: (message: string) => void }) {
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const decide = useMutation({
    mutationFn: (d: 'approve' | 'reject') =>
      ok(
        api.POST('/api/v1/runs/{id}/approvals/{stepId}', {
          params: { path: { id: run.id, stepId: wait.step } },
          body: { decision: d, comment },
        }),
      ),
    // The card leaves the inbox once the run moves on; the decision is announced above the list.
    onSuccess: (_answer, d) => {
      onDecided(`${d === 'approve' ? 'Approved' : 'Rejected'} ${wait.step} of run ${run.id.slice(0, 8)}.`);
      return client.invalidateQueries();
    },
  });
  const step = run.steps.find((s) => s.id === wait.step);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    decide.mutate(decision);
  };
  const label = `${run.playbook?.id ?? 'response'} / ${wait.step}`;
  return (
    <Card withBorder component="section" aria-label={`Approval ${label}`}>
      <Group justify="space-between">
        <Text fw={600}>
          <Link to={`/runs/${run.id}`}>
            {run.playbook ? `${run.playbook.id} v${run.playbook.version}` : 'Simple response'}
          </Link>{' '}
          · step {wait.step}
        </Text>
        <Badge color="orange">{KIND[wait.kind] ?? wait.kind}</Badge>
      </Group>
      <Text size="sm" mt="xs">
        {wait.prompt}
      </Text>
      <Text size="sm" c="dimmed">
        Started by{' '}
        {run.trigger.type === 'alert' ? `alert ${run.trigger.alertId ?? ''}` : (run.trigger.by ?? run.trigger.type)} ·
        waiting <When at={run.createdAt} />
        {wait.deadline ? (
          <>
            {' '}
            · decide <When at={wait.deadline} />, after which the step times out
          </>
        ) : (
          ' · no deadline: it waits until someone decides'
        )}
        {wait.approvers.length ? ` · approvers: ${wait.approvers.join(', ')}` : ''}
      </Text>
      {(step?.input || run.input) && <Json value={step?.input ?? run.input} />}
      <Can role="analyst">
        <form onSubmit={submit}>
          <Textarea
            label="Comment (required)"
            required
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
            mt="sm"
            autosize
            minRows={2}
          />
          <Group mt="sm">
            <Button
              type="submit"
              color="green"
              onClick={() => setDecision('approve')}
              loading={decide.isPending && decision === 'approve'}
              disabled={!comment.trim()}
            >
              Approve
            </Button>
            <Button
              type="submit"
              color="red"
              variant="light"
              onClick={() => setDecision('reject')}
              loading={decide.isPending && decision === 'reject'}
              disabled={!comment.trim()}
            >
              Reject
            </Button>
          </Group>
          <Failure error={decide.error} />
        </form>
      </Can>
    </Card>
  );
}
