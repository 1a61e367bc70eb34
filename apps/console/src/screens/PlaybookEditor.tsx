import { Alert, Button, Grid, Group, Tabs, Text, TextInput, useMantineColorScheme } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { configureMonacoYaml } from 'monaco-yaml';
import YamlWorker from 'monaco-yaml/yaml.worker?worker';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, credentials, ok, type Problem } from '../api/client';
import Graph from '../Graph';
import { navigate } from '../router';
import { Can, Failure, Loading, Screen } from '../ui';

// Monaco's workers come from this origin (the page's CSP allows no other).
window.MonacoEnvironment = {
  getWorker: (_id: string, label: string) => (label === 'yaml' ? new YamlWorker() : new EditorWorker()),
};

const TEMPLATE = `id: my-playbook
name: My playbook
inputs:
  user:
    type: string
steps:
  - id: disable
    action: azure_ad.disable_user
    with:
      user: \${{ inputs.user }}
`;

let yamlConfigured = false;
async function configureYaml(): Promise<void> {
  if (yamlConfigured) return;
  yamlConfigured = true;
  const schema = (await (await fetch('/api/v1/schema/playbook.json')).json()) as object;
  configureMonacoYaml(monaco, {
    enableSchemaRequest: false,
    validate: true,
    completion: true,
    hover: true,
    schemas: [
      { uri: `${window.location.origin}/api/v1/schema/playbook.json`, fileMatch: ['*'], schema: schema as never },
    ],
  });
}

async function text(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path, {
    ...init,
    headers: { Authorization: `Bearer ${credentials.get() ?? ''}`, ...(init.headers ?? {}) },
  });
}

/** YAML with the schema inline, the server's own errors as markers, the compiled graph, save as a new version. */
export default function PlaybookEditor({ id }: { id: string | null }) {
  const client = useQueryClient();
  const { colorScheme } = useMantineColorScheme();
  const saved = useQuery({
    queryKey: ['playbook', id],
    enabled: Boolean(id),
    queryFn: () => ok(api.GET('/api/v1/playbooks/{id}', { params: { path: { id: id! } } })),
  });
  const graph = useQuery({
    queryKey: ['graph', id],
    enabled: Boolean(id),
    queryFn: async () => {
      const response = await text(`/api/v1/playbooks/${encodeURIComponent(id!)}/graph`);
      return response.ok ? response.text() : null;
    },
  });
  const box = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const [newId, setNewId] = useState('');
  const [problems, setProblems] = useState<Problem['errors']>([]);
  const [validated, setValidated] = useState<boolean | null>(null);

  useEffect(() => {
    if (!box.current || (id && !saved.data)) return;
    let disposed = false;
    void configureYaml().then(() => {
      if (disposed || !box.current) return;
      const model = monaco.editor.createModel(
        saved.data?.yaml ?? TEMPLATE,
        'yaml',
        monaco.Uri.parse(`file:///${id ?? 'new'}.yaml`),
      );
      editor.current = monaco.editor.create(box.current, {
        model,
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 13,
        renderFinalNewline: 'on',
        theme: colorScheme === 'dark' ? 'vs-dark' : 'vs',
        ariaLabel: 'Playbook YAML',
      });
    });
    return () => {
      disposed = true;
      editor.current?.getModel()?.dispose();
      editor.current?.dispose();
      editor.current = null;
    };
    // The editor is made once per playbook; theme changes are applied below.
  }, [id, saved.data]);

  useEffect(() => monaco.editor.setTheme(colorScheme === 'dark' ? 'vs-dark' : 'vs'), [colorScheme]);

  /** The server's errors become markers at their line and column. */
  const mark = (errors: Problem['errors']) => {
    setProblems(errors ?? []);
    const model = editor.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'riposte',
      (errors ?? []).map((e) => ({
        severity: monaco.MarkerSeverity.Error,
        message: `${e.path}: ${e.message}`,
        startLineNumber: e.line ?? 1,
        startColumn: e.column ?? 1,
        endLineNumber: e.line ?? 1,
        endColumn: model.getLineMaxColumn(e.line ?? 1),
      })),
    );
  };

  const validate = useMutation({
    mutationFn: async () => {
      const response = await text('/api/v1/playbooks/validate', {
        method: 'POST',
        body: editor.current?.getValue() ?? '',
        headers: { 'Content-Type': 'application/yaml' },
      });
      const body = (await response.json()) as Problem | { valid: boolean; errors?: Problem['errors'] };
      if (!response.ok) throw new ApiError(response.status, body as Problem);
      return body as { valid: boolean; errors?: Problem['errors'] };
    },
    onSuccess: (answer) => {
      setValidated(answer.valid);
      mark(answer.errors);
    },
  });
  const target = id ?? newId;
  const save = useMutation({
    mutationFn: async () => {
      const response = await text(`/api/v1/playbooks/${encodeURIComponent(target)}`, {
        method: 'PUT',
        body: editor.current?.getValue() ?? '',
        headers: { 'Content-Type': 'application/yaml' },
      });
      const body = (await response.json()) as Problem | { id: string; version: number };
      if (!response.ok) throw new ApiError(response.status, body as Problem);
      return body as { id: string; version: number };
    },
    onSuccess: async (answer) => {
      mark([]);
      setValidated(true);
      await client.invalidateQueries({ queryKey: ['playbooks'] });
      await client.invalidateQueries({ queryKey: ['graph', answer.id] });
      await client.invalidateQueries({ queryKey: ['playbook', answer.id] });
      if (!id) navigate(`/playbooks/${answer.id}`, true);
    },
    onError: (error) => error instanceof ApiError && mark(error.problem?.errors),
  });

  if (id && saved.error) return <Failure error={saved.error} />;
  return (
    <Screen
      title={id ? `Playbook ${id}` : 'New playbook'}
      actions={
        <Can role="author">
          {!id && (
            <TextInput
              aria-label="Playbook id"
              placeholder="playbook-id"
              value={newId}
              onChange={(e) => setNewId(e.currentTarget.value)}
            />
          )}
          <Button variant="default" onClick={() => validate.mutate()} loading={validate.isPending}>
            Validate
          </Button>
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!target}>
            Save as new version
          </Button>
        </Can>
      }
    >
      {saved.data && (
        <Text size="sm" c="dimmed" mb="xs">
          Version {saved.data.version} of {saved.data.currentVersion} · {saved.data.enabled ? 'enabled' : 'disabled'} ·{' '}
          {saved.data.source}
        </Text>
      )}
      {validated === true && problems?.length === 0 && (
        <Alert color="green" mb="xs" role="status">
          {save.isSuccess ? `Saved as version ${save.data.version}.` : 'Valid.'}
        </Alert>
      )}
      {(problems?.length ?? 0) > 0 && (
        <Alert color="red" title="Problems" mb="xs" role="alert" data-testid="playbook-problems">
          {problems!.map((e, i) => (
            <Text size="sm" key={i}>
              line {e.line ?? '?'}, column {e.column ?? '?'}: {e.path} {e.message}
            </Text>
          ))}
        </Alert>
      )}
      {save.error && !(save.error instanceof ApiError && save.error.problem?.errors?.length) && (
        <Failure error={save.error} />
      )}
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <div
            ref={box}
            style={{ height: 'calc(100vh - 240px)', border: '1px solid var(--mantine-color-default-border)' }}
            data-testid="playbook-editor"
          />
          {id && !saved.data && <Loading />}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Tabs defaultValue="graph">
            <Tabs.List>
              <Tabs.Tab value="graph">Graph</Tabs.Tab>
              <Tabs.Tab value="saved">Saved version</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="graph" pt="sm">
              {graph.data ? <Graph source={graph.data} /> : <Text c="dimmed">Save the playbook to see its graph.</Text>}
            </Tabs.Panel>
            <Tabs.Panel value="saved" pt="sm">
              <pre style={{ fontSize: 12, overflow: 'auto', maxHeight: '60vh' }}>{saved.data?.yaml ?? ''}</pre>
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
      </Grid>
      <Group />
    </Screen>
  );
}
