import { Button, Checkbox, Group, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, newIdempotencyKey, ok, roleAllows } from '../api/client';
import { Link } from '../router';
import { Failure, Loading, Screen, StatusBadge, When, useMe } from '../ui';

/** Every destructive change Riposte made, with Undo: one change, or a selection (a revert run per run, of the chosen steps). */
export function ActionCenter() {
  const me = useMe();
  const client = useQueryClient();
  const [entity, setEntity] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const changes = useQuery({
    queryKey: ['changes', entity],
    queryFn: () => ok(api.GET('/api/v1/changes', { params: { query: { limit: 200, ...(entity ? { entity } : {}) } } })),
  });
  const runs = useQuery({
    queryKey: ['changes', 'runs', changes.data?.items.map((c) => c.runId).join()],
    enabled: Boolean(changes.data),
    queryFn: async () => {
      const ids = [...new Set(changes.data!.items.map((c) => c.runId))];
      const details = await Promise.all(
        ids.map((id) => ok(api.GET('/api/v1/runs/{id}', { params: { path: { id } } }))),
      );
      return new Map(details.map((d) => [d.id, d]));
    },
  });
  type Target = { runId: string; step: string };
  const undo = useMutation({
    // One revert per run, of the chosen steps only; one Idempotency-Key per submission and run.
    mutationFn: async (targets: Target[]) => {
      const byRun = new Map<string, string[]>();
      for (const t of targets) byRun.set(t.runId, [...(byRun.get(t.runId) ?? []), t.step]);
      for (const [id, steps] of byRun)
        await ok(
          api.POST('/api/v1/runs/{id}/revert', {
            params: { path: { id }, header: { 'Idempotency-Key': newIdempotencyKey() } },
            body: { steps },
          }),
        );
    },
    onSuccess: () => (setSelected(new Set()), void client.invalidateQueries()),
  });
  const canUndo = roleAllows(me.role, 'analyst');
  /** `run/step` of each change an undo has reverted or is reverting (a failed undo may be tried again). */
  const reverted = new Set(
    [...(runs.data?.values() ?? [])].flatMap((r) =>
      r.trigger.revertOf
        ? r.steps
            .filter((s) => ['pending', 'running', 'waiting', 'succeeded'].includes(s.status))
            .map((s) => `${r.trigger.revertOf}/${s.id.replace(/^revert-/, '')}`)
        : [],
    ),
  );
  const undoable = (c: { runId: string; step: string; status: string }) =>
    c.status === 'succeeded' &&
    !reverted.has(`${c.runId}/${c.step}`) &&
    !['queued', 'running', 'waiting'].includes(runs.data?.get(c.runId)?.status ?? '') &&
    runs.data?.get(c.runId)?.trigger.type !== 'revert';
  const items = changes.data?.items ?? [];
  const chosen = items.filter((c) => selected.has(c.id));
  return (
    <Screen
      title="Action center"
      actions={
        canUndo && (
          <Button
            color="orange"
            disabled={selected.size === 0}
            onClick={() => undo.mutate(chosen)}
            loading={undo.isPending}
          >
            Undo selected ({selected.size})
          </Button>
        )
      }
    >
      <TextInput
        label="Entity"
        placeholder="user or machine"
        value={entity}
        onChange={(e) => setEntity(e.currentTarget.value)}
        w={320}
        mb="sm"
      />
      <Failure error={changes.error ?? undo.error} />
      {changes.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            {canUndo && (
              <Table.Th>
                <VisuallyHidden>Select</VisuallyHidden>
              </Table.Th>
            )}
            <Table.Th>Action</Table.Th>
            <Table.Th>Entity</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>Why</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Run</Table.Th>
            {canUndo && (
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.data?.items.map((c) => {
            const run = runs.data?.get(c.runId);
            const can = undoable(c);
            return (
              <Table.Tr key={c.id} data-testid="change-row">
                {canUndo && (
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${c.action} on ${c.entity}`}
                      disabled={!can}
                      checked={selected.has(c.id)}
                      onChange={(e) => {
                        // Read now: React clears the event's currentTarget before the updater runs.
                        const checked = e.currentTarget.checked;
                        setSelected((s) => {
                          const n = new Set(s);
                          if (checked) n.add(c.id);
                          else n.delete(c.id);
                          return n;
                        });
                      }}
                    />
                  </Table.Td>
                )}
                <Table.Td>{c.action}</Table.Td>
                <Table.Td>{c.entity}</Table.Td>
                <Table.Td>
                  <StatusBadge status={c.status} />
                </Table.Td>
                <Table.Td>{run ? (run.trigger.by ?? run.trigger.type) : ''}</Table.Td>
                <Table.Td>
                  <Text size="sm">{run?.reason ?? ''}</Text>
                </Table.Td>
                <Table.Td>
                  <When at={c.at} />
                </Table.Td>
                <Table.Td>
                  <Link to={`/runs/${c.runId}`}>{c.runId.slice(0, 8)}</Link>
                </Table.Td>
                {canUndo && (
                  <Table.Td>
                    {can ? (
                      <Button
                        size="xs"
                        variant="light"
                        color="orange"
                        aria-label={`Undo ${c.action} on ${c.entity}`}
                        onClick={() => undo.mutate([c])}
                        loading={
                          undo.isPending && undo.variables?.some((v) => v.runId === c.runId && v.step === c.step)
                        }
                      >
                        Undo
                      </Button>
                    ) : reverted.has(`${c.runId}/${c.step}`) ? (
                      <Text size="xs" c="dimmed">
                        undone
                      </Text>
                    ) : null}
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {changes.data?.items.length === 0 && <Text c="dimmed">No change made yet.</Text>}
      <Group />
    </Screen>
  );
}
