import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Modal,
  NativeSelect,
  PasswordInput,
  Stack,
  Stepper,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Can, Failure, Loading, Screen, When } from '../ui';

const DAY = 86_400_000;

function Expiry({ at }: { at: string | null }) {
  if (!at)
    return (
      <Text span c="dimmed">
        no expiry recorded
      </Text>
    );
  const days = Math.floor((new Date(at).getTime() - Date.now()) / DAY);
  const colour = days < 0 ? 'red' : days < 30 ? 'orange' : 'green';
  return (
    <Badge color={colour} variant="light">
      {days < 0 ? `expired ${-days} d ago` : `expires in ${days} d`}
    </Badge>
  );
}

/** What the test found: per resource, the roles granted and the ones missing, and per action what to grant. */
function TestReport({ report }: { report: Schemas['ConnectionTest'] }) {
  return (
    <Stack gap="xs" data-testid="connection-test">
      <Alert
        color={report.ok ? 'green' : 'orange'}
        title={report.ok ? 'Every action can run' : 'Some actions cannot run yet'}
      />
      {report.resources.map((r) => (
        <Card key={r.resource} withBorder p="xs">
          <Group>
            <Text fw={600}>{r.resource}</Text>
            <Badge color={r.ok ? 'green' : 'red'}>{r.ok ? 'reachable' : 'problem'}</Badge>
          </Group>
          <Text size="sm">Granted: {r.grantedRoles.join(', ') || 'none'}</Text>
          {r.missingRoles.length > 0 && (
            <Text size="sm" c="red">
              Missing: {r.missingRoles.join(', ')}
            </Text>
          )}
          {r.error && (
            <Text size="sm" c="red">
              {r.error.message}
            </Text>
          )}
        </Card>
      ))}
      <List size="sm">
        {report.actions
          .filter((a) => !a.ready)
          .map((a) => (
            <List.Item key={a.action}>
              {a.action}: {a.missing.map((m) => m.fix).join(' ')}
            </List.Item>
          ))}
      </List>
    </Stack>
  );
}

export function ConnectionTargets() {
  const client = useQueryClient();
  const targets = useQuery({
    queryKey: ['connection-targets'],
    queryFn: () => ok(api.GET('/api/v1/connection-targets')),
  });
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<string | null>(null);
  const [reports, setReports] = useState<Record<string, Schemas['ConnectionTest']>>({});
  const test = useMutation({
    mutationFn: (name: string) =>
      ok(api.POST('/api/v1/connection-targets/{name}/test', { params: { path: { name } } })),
    onSuccess: (report, name) => setReports((r) => ({ ...r, [name]: report })),
  });
  return (
    <Screen
      title="Connection targets"
      actions={
        <Can role="admin">
          <Button onClick={() => setCreating(true)}>Add connection target</Button>
        </Can>
      }
    >
      <Failure error={targets.error ?? test.error} />
      {targets.isPending && <Loading />}
      <Stack>
        {targets.data?.items.map((t) => (
          <Card key={t.name} withBorder component="section" aria-label={`Connection target ${t.name}`}>
            <Group justify="space-between">
              <Group>
                <Text fw={600}>{t.name}</Text>
                <Text size="sm" c="dimmed">
                  tenant {t.tenantId} · app {t.clientId ?? '—'} · {t.cloud} · {t.auth.type}
                </Text>
                <Expiry at={t.auth.expiresAt} />
              </Group>
              <Group>
                <Can role="admin">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => test.mutate(t.name)}
                    loading={test.isPending && test.variables === t.name}
                  >
                    Test connection
                  </Button>
                  <Button size="xs" variant="default" onClick={() => setRotating(t.name)}>
                    Rotate secret
                  </Button>
                </Can>
              </Group>
            </Group>
            <Text size="xs" c="dimmed">
              Updated <When at={t.updatedAt} />
            </Text>
            {reports[t.name] && <TestReport report={reports[t.name]!} />}
          </Card>
        ))}
        {targets.data?.items.length === 0 && <Text c="dimmed">No connection target yet.</Text>}
      </Stack>
      {creating && (
        <CreateTarget
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            void client.invalidateQueries({ queryKey: ['connection-targets'] });
            test.mutate(name);
          }}
        />
      )}
      {rotating && (
        <Rotate
          name={rotating}
          onClose={() => (setRotating(null), void client.invalidateQueries({ queryKey: ['connection-targets'] }))}
        />
      )}
    </Screen>
  );
}

/** The vendor guides' steps: register an app, grant its permissions, make a secret, then save here. */
function CreateTarget({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const actions = useQuery({
    queryKey: ['actions'],
    queryFn: () => ok(api.GET('/api/v1/actions')),
    staleTime: Infinity,
  });
  const [step, setStep] = useState(0);
  const [form, setForm] = useState({
    name: '',
    tenantId: '',
    clientId: '',
    clientSecret: '',
    expiresAt: '',
    cloud: 'public',
    authority: '',
    graph: '',
    defender: '',
    management: '',
  });
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [key]: e.currentTarget.value });
  const create = useMutation({
    mutationFn: () =>
      ok(
        api.POST('/api/v1/connection-targets', {
          body: {
            name: form.name,
            tenantId: form.tenantId,
            clientId: form.clientId,
            cloud: form.cloud,
            ...(form.cloud === 'custom'
              ? {
                  endpoints: {
                    authority: form.authority,
                    graph: form.graph,
                    defender: form.defender,
                    management: form.management || form.graph,
                  },
                }
              : {}),
            auth: {
              type: 'clientSecret',
              clientSecret: form.clientSecret,
              ...(form.expiresAt ? { expiresAt: new Date(form.expiresAt).toISOString() } : {}),
            },
          } as never,
        }),
      ),
    onSuccess: () => onCreated(form.name),
  });
  const byResource = new Map<string, Set<string>>();
  for (const a of actions.data ?? [])
    for (const r of a.requiredRoles)
      byResource.set(r.resource, (byResource.get(r.resource) ?? new Set()).add(`${r.role} (${a.id})`));
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened
      onClose={onClose}
      title="Add a connection target"
      size="xl"
    >
      <Stepper active={step} onStepClick={setStep} size="sm">
        <Stepper.Step label="App registration">
          <Text size="sm">
            In the Entra admin center: App registrations → New registration. Name it (for example “Riposte”), keep the
            defaults, Register. Copy the two ids here.
          </Text>
          <TextInput label="Directory (tenant) ID" value={form.tenantId} onChange={set('tenantId')} required mt="sm" />
          <TextInput label="Application (client) ID" value={form.clientId} onChange={set('clientId')} required />
        </Stepper.Step>
        <Stepper.Step label="Permissions">
          <Text size="sm">
            In the app's API permissions: Add a permission → Application permissions, for each API below, then Grant
            admin consent. Grant only what the actions you plan to use need.
          </Text>
          {[...byResource].map(([resource, roles]) => (
            <Card key={resource} withBorder p="xs" mt="xs">
              <Text fw={600} size="sm">
                {resource}
              </Text>
              <List size="sm">
                {[...roles].map((r) => (
                  <List.Item key={r}>{r}</List.Item>
                ))}
              </List>
            </Card>
          ))}
        </Stepper.Step>
        <Stepper.Step label="Client secret">
          <Text size="sm">
            Certificates &amp; secrets → New client secret; note its expiry. Riposte stores the value encrypted and
            never shows it again.
          </Text>
          <PasswordInput
            label="Client secret value"
            value={form.clientSecret}
            onChange={set('clientSecret')}
            required
            mt="sm"
            autoComplete="off"
          />
          <TextInput label="Secret expires on" type="date" value={form.expiresAt} onChange={set('expiresAt')} />
        </Stepper.Step>
        <Stepper.Step label="Name and cloud">
          <TextInput
            label="Name"
            description="a slug: lowercase letters, digits and dashes"
            value={form.name}
            onChange={set('name')}
            required
          />
          <NativeSelect
            label="Cloud"
            data={['public', 'usgov', 'china', 'custom']}
            value={form.cloud}
            onChange={set('cloud')}
          />
          {form.cloud === 'custom' && (
            <>
              <TextInput label="Authority URL" value={form.authority} onChange={set('authority')} />
              <TextInput label="Graph URL" value={form.graph} onChange={set('graph')} />
              <TextInput label="Defender URL" value={form.defender} onChange={set('defender')} />
              <TextInput label="Management URL" value={form.management} onChange={set('management')} />
            </>
          )}
          <Failure error={create.error} />
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" mt="md">
        <Button variant="default" onClick={() => (step === 0 ? onClose() : setStep(step - 1))}>
          {step === 0 ? 'Cancel' : 'Back'}
        </Button>
        {step < 3 ? (
          <Button onClick={() => setStep(step + 1)}>Next</Button>
        ) : (
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Save and test
          </Button>
        )}
      </Group>
    </Modal>
  );
}

function Rotate({ name, onClose }: { name: string; onClose: () => void }) {
  const [secret, setSecret] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const rotate = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH('/api/v1/connection-targets/{name}', {
          params: { path: { name } },
          body: {
            auth: {
              type: 'clientSecret',
              clientSecret: secret,
              ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
            },
          } as never,
        }),
      ),
    onSuccess: onClose,
  });
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened onClose={onClose} title={`Rotate the secret of ${name}`}>
      <Stack>
        <PasswordInput
          label="New client secret value"
          value={secret}
          onChange={(e) => setSecret(e.currentTarget.value)}
          autoComplete="off"
          required
        />
        <TextInput
          label="Expires on"
          type="date"
          value={expiresAt}
          onChange={(e) => setExpiresAt(e.currentTarget.value)}
        />
        <Failure error={rotate.error} />
        <Button onClick={() => rotate.mutate()} loading={rotate.isPending} disabled={!secret}>
          Rotate
        </Button>
      </Stack>
    </Modal>
  );
}
