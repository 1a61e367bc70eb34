import {
  Alert,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  useMantineColorScheme,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import { configureMonacoYaml } from 'monaco-yaml';
import YamlWorker from 'monaco-yaml/yaml.worker?worker';
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, credentials, ok, type Problem, type Schemas } from '../api/client';
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

/*
 * Monaco's own themes with comments a shade darker (lighter in the dark one) and paler diff
 * backgrounds: on an added line, the stock comment green falls under the 4.5:1 contrast asked of text.
 */
monaco.editor.defineTheme('riposte-light', {
  base: 'vs',
  inherit: true,
  rules: [{ token: 'comment', foreground: '1e6b1e' }],
  colors: { 'diffEditor.insertedLineBackground': '#9bb9551a', 'diffEditor.insertedTextBackground': '#9ccc2c26' },
});
monaco.editor.defineTheme('riposte-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [{ token: 'comment', foreground: '8fbf7a' }],
  colors: { 'diffEditor.insertedLineBackground': '#9bb9551a', 'diffEditor.insertedTextBackground': '#9ccc2c26' },
});
const themeFor = (scheme: string) => (scheme === 'dark' ? 'riposte-dark' : 'riposte-light');

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
  /** The text being edited, shared with the diff view (one model, two editors). */
  const [model, setModel] = useState<monaco.editor.ITextModel | null>(null);
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
        theme: themeFor(colorScheme),
        ariaLabel: 'Playbook YAML',
      });
      setModel(model);
    });
    return () => {
      disposed = true;
      setModel(null);
      editor.current?.getModel()?.dispose();
      editor.current?.dispose();
      editor.current = null;
    };
    // The editor is made once per playbook; theme changes are applied below.
  }, [id, saved.data]);

  useEffect(() => monaco.editor.setTheme(themeFor(colorScheme)), [colorScheme]);

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
          <Tabs defaultValue="graph" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="graph">Graph</Tabs.Tab>
              <Tabs.Tab value="diff">Changes</Tabs.Tab>
              <Tabs.Tab value="rehearse">Rehearse</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="graph" pt="sm">
              {graph.data ? <Graph source={graph.data} /> : <Text c="dimmed">Save the playbook to see its graph.</Text>}
            </Tabs.Panel>
            <Tabs.Panel value="diff" pt="sm">
              {saved.data ? (
                <SavedDiff saved={saved.data.yaml} version={saved.data.version} current={model} />
              ) : (
                <Text c="dimmed">Nothing saved yet: every line is new.</Text>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="rehearse" pt="sm">
              <Rehearse
                playbookId={target || 'my-playbook'}
                text={() => editor.current?.getValue() ?? ''}
                onInvalid={mark}
              />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
      </Grid>
      <Group />
    </Screen>
  );
}

/** What changed against the saved version: Monaco's inline diff over the text being edited, with a count in words. */
function SavedDiff({
  saved,
  version,
  current,
}: {
  saved: string;
  version: number;
  current: monaco.editor.ITextModel | null;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [summary, setSummary] = useState('Comparing…');
  useEffect(() => {
    if (!box.current || !current) return;
    const original = monaco.editor.createModel(saved, 'yaml');
    const diff = monaco.editor.createDiffEditor(box.current, {
      readOnly: true,
      renderSideBySide: false,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 12,
      ariaLabel: `Changes against version ${version}`,
    });
    // Given to the inner editors themselves: the diff editor's own option is lost on its first layout.
    diff.getOriginalEditor().updateOptions({ ariaLabel: `Version ${version}, as saved` });
    diff.getModifiedEditor().updateOptions({ ariaLabel: 'The playbook being edited, compared' });
    diff.setModel({ original, modified: current });
    const updated = diff.onDidUpdateDiff(() => {
      const changes = diff.getLineChanges() ?? [];
      const count = (start: number, end: number) => (end >= start && end > 0 ? end - start + 1 : 0);
      const added = changes.reduce((n, c) => n + count(c.modifiedStartLineNumber, c.modifiedEndLineNumber), 0);
      const removed = changes.reduce((n, c) => n + count(c.originalStartLineNumber, c.originalEndLineNumber), 0);
      setSummary(
        changes.length === 0
          ? `No change against version ${version}.`
          : `${added} line${added === 1 ? '' : 's'} added and ${removed} removed against version ${version}.`,
      );
    });
    return () => {
      updated.dispose();
      diff.dispose();
      original.dispose();
    };
  }, [saved, version, current]);
  return (
    <>
      <Text size="sm" role="status" data-testid="diff-summary" mb="xs">
        {summary}
      </Text>
      <div
        ref={box}
        style={{ height: '55vh', border: '1px solid var(--mantine-color-default-border)' }}
        data-testid="playbook-diff"
      />
    </>
  );
}

const rehearsalTemplate = (id: string) => `playbook: ${id}
cases:
  - name: runs to the end
    inputs: {}
    results: {}        # by step id: { output: {...} } or { error: { code: throttled } }
    approvals: {}      # by approval step id: approve | reject
    expect:
      status: succeeded
`;

/** Runs the text being edited against rehearsal cases on the server: scripted results, nothing sent to Azure. */
function Rehearse({
  playbookId,
  text,
  onInvalid,
}: {
  playbookId: string;
  text: () => string;
  onInvalid: (errors: Problem['errors']) => void;
}) {
  const [cases, setCases] = useState(() => rehearsalTemplate(playbookId));
  const rehearse = useMutation({
    mutationFn: () =>
      ok<Schemas['Rehearsal']>(
        api.POST('/api/v1/playbooks/rehearse', { body: { playbook: text(), rehearsal: cases } }),
      ),
    onSuccess: () => onInvalid([]),
    // The playbook's own errors go to the editor as markers; the rehearsal's are listed below.
    onError: (error) =>
      error instanceof ApiError && error.problem?.code === 'invalid_playbook' && onInvalid(error.problem.errors),
  });
  return (
    <Can role="author">
      <Textarea
        label="Rehearsal cases (YAML)"
        description="The format of playbooks/tests/*.rehearsal.yaml; unlisted actions succeed with {}."
        value={cases}
        onChange={(e) => setCases(e.currentTarget.value)}
        autosize
        minRows={8}
        maxRows={20}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
      />
      <Button mt="sm" onClick={() => rehearse.mutate()} loading={rehearse.isPending}>
        Rehearse
      </Button>
      {rehearse.error &&
        !(rehearse.error instanceof ApiError && rehearse.error.problem?.code === 'invalid_playbook') && (
          <Failure error={rehearse.error} />
        )}
      {rehearse.data && (
        <Stack mt="sm" gap="xs" data-testid="rehearsal-results">
          <Text size="sm" role="status">
            {rehearse.data.passed} passed, {rehearse.data.failed} failed.
          </Text>
          {rehearse.data.cases.map((c, i) => (
            <Card key={i} withBorder padding="xs">
              <Group gap="xs">
                <Badge color={c.passed ? 'green' : 'red'} variant="light">
                  {c.passed ? 'passed' : 'failed'}
                </Badge>
                <Text size="sm" fw={600}>
                  {c.name}
                </Text>
                <Text size="sm" c="dimmed">
                  ended {c.status}
                </Text>
              </Group>
              <Text size="sm">Path: {c.path.join(' → ') || '(no step ran)'}</Text>
              {c.problems.map((p, j) => (
                <Text size="sm" c="red.8" key={j}>
                  {p}
                </Text>
              ))}
            </Card>
          ))}
        </Stack>
      )}
    </Can>
  );
}
