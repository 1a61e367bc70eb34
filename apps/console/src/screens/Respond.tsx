import { Button, Card, Group, Select, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, newIdempotencyKey, ok, type Schemas } from '../api/client';
import { Link, useLocation } from '../router';
import { Failure, Json, Screen, StatusBadge } from '../ui';

type Property = { type?: string; enum?: string[]; description?: string; title?: string };

/** One input per property of the action's JSON Schema: text, choice or switch. */
function Field({
  name,
  schema,
  required,
  value,
  onChange,
}: {
  name: string;
  schema: Property;
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const label = schema.title ?? name;
  if (schema.enum)
    return (
      <Select
        label={label}
        description={schema.description}
        data={schema.enum}
        value={(value as string) ?? null}
        onChange={onChange}
        required={required}
        clearable={!required}
      />
    );
  if (schema.type === 'boolean')
    return (
      <Switch
        label={label}
        description={schema.description}
        checked={Boolean(value)}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  return (
    <TextInput
      label={label}
      description={schema.description}
      value={(value as string) ?? ''}
      onChange={(e) => onChange(e.currentTarget.value)}
      required={required}
    />
  );
}

/** Simple responses: one action on one entity, with a dry run first if you like. */
export function Respond() {
  const { query } = useLocation();
  const actions = useQuery({
    queryKey: ['actions'],
    queryFn: () => ok(api.GET('/api/v1/actions')),
    staleTime: Infinity,
  });
  const targets = useQuery({
    queryKey: ['connection-targets'],
    queryFn: () => ok(api.GET('/api/v1/connection-targets')),
  });
  const [actionId, setActionId] = useState<string | null>(query.get('action'));
  const [target, setTarget] = useState<string | null>(null);
  const [input, setInput] = useState<Record<string, unknown>>(() =>
    query.get('user') ? { user: query.get('user') } : query.get('machine') ? { machine: query.get('machine') } : {},
  );
  const [reason, setReason] = useState('');
  // One key per submission: a double click or a network retry sends the same key and acts once.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const action = actions.data?.find((a) => a.id === actionId);
  const chosenTarget = target ?? targets.data?.items[0]?.name ?? null;
  const send = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const clean = Object.fromEntries(
        Object.entries(input).filter(([, v]) => v !== '' && v !== undefined && v !== null),
      );
      const answer = await ok(
        api.POST('/api/v1/responses', {
          params: {
            query: { wait: 15 } as never,
            header: { 'Idempotency-Key': dryRun ? newIdempotencyKey() : idempotencyKey },
          },
          body: {
            action: actionId!,
            connectionTarget: chosenTarget!,
            input: clean,
            reason: reason || undefined,
            dryRun,
          } as never,
        }),
      );
      const runId = (answer as { runId?: string; id?: string }).runId ?? (answer as { id?: string }).id!;
      return { dryRun, run: await ok(api.GET('/api/v1/runs/{id}', { params: { path: { id: runId } } })) };
    },
    onSuccess: (result) => {
      if (!result.dryRun) setIdempotencyKey(newIdempotencyKey());
    },
  });
  const submit = (dryRun: boolean) => (event?: FormEvent) => {
    event?.preventDefault();
    send.mutate(dryRun);
  };
  const schema = (action?.inputSchema ?? {}) as { properties?: Record<string, Property>; required?: string[] };
  return (
    <Screen title="Respond">
      <Card withBorder maw={720}>
        <form onSubmit={submit(false)}>
          <Stack>
            <Select
              label="Action"
              data={(actions.data ?? []).map((a: Schemas['Action']) => ({
                value: a.id,
                label: `${a.title} (${a.id})`,
              }))}
              value={actionId}
              onChange={(v) => (setActionId(v), setInput({}))}
              searchable
              required
            />
            {action && (
              <Text size="sm" c="dimmed">
                {action.description}{' '}
                {action.destructive
                  ? `Destructive${action.inverse ? `; undone by ${action.inverse}` : '; cannot be undone'}.`
                  : ''}
              </Text>
            )}
            <Select
              label="Connection target"
              data={(targets.data?.items ?? []).map((t) => t.name)}
              value={chosenTarget}
              onChange={setTarget}
              required
            />
            {Object.entries(schema.properties ?? {}).map(([name, property]) => (
              <Field
                key={name}
                name={name}
                schema={property}
                required={(schema.required ?? []).includes(name)}
                value={input[name]}
                onChange={(v) => setInput({ ...input, [name]: v })}
              />
            ))}
            <Textarea
              label="Reason"
              description="Kept in the run and the audit trail."
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              autosize
              minRows={2}
            />
            <Group>
              <Button
                variant="default"
                onClick={() => submit(true)()}
                disabled={!action || !chosenTarget}
                loading={send.isPending && send.variables === true}
              >
                Dry run
              </Button>
              <Button
                type="submit"
                color={action?.destructive ? 'red' : 'blue'}
                disabled={!action || !chosenTarget}
                loading={send.isPending && send.variables === false}
              >
                Send
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      <Failure error={send.error} />
      {send.data && (
        <Card withBorder mt="md" maw={720} aria-live="polite">
          <Group>
            <Text fw={600}>{send.data.dryRun ? 'Dry run: the exact request that would be sent' : 'Sent'}</Text>
            <StatusBadge status={send.data.run.status} />
            <Link to={`/runs/${send.data.run.id}`}>open the run</Link>
          </Group>
          {send.data.run.steps.map((s) => (
            <Json key={s.id} value={s.output ?? s.error} />
          ))}
        </Card>
      )}
    </Screen>
  );
}
