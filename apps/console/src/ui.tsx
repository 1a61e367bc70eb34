import { Alert, Badge, Code, Loader, Text, Title, Group } from '@mantine/core';
import { createContext, type ReactNode, useContext } from 'react';
import { ApiError, type Role, roleAllows, type Schemas } from './api/client';

export const MeContext = createContext<Schemas['Me'] | null>(null);

export function useMe(): Schemas['Me'] {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in console');
  return me;
}

/** Renders children only for callers with the role; the server refuses the call anyway. */
export function Can({ role, children }: { role: Role; children: ReactNode }) {
  const me = useContext(MeContext);
  return roleAllows(me?.role, role) ? <>{children}</> : null;
}

const COLOURS: Record<string, string> = {
  queued: 'gray',
  running: 'blue',
  waiting: 'orange',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'dark',
  skipped: 'gray',
  planned: 'cyan',
  pending: 'gray',
  ok: 'green',
  idle: 'gray',
  throttled: 'yellow',
  forbidden: 'red',
  error: 'red',
  intended: 'gray',
  sent: 'blue',
  success: 'green',
  failure: 'red',
  denied: 'red',
  approved: 'green',
  rejected: 'red',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLOURS[status] ?? 'gray'} variant="light" aria-label={`status ${status}`}>
      {status}
    </Badge>
  );
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at)
    return (
      <Text span c="dimmed">
        —
      </Text>
    );
  const date = new Date(at);
  return (
    <time dateTime={at} title={date.toISOString()}>
      {ago(date)}
    </time>
  );
}

export function ago(date: Date): string {
  const s = Math.round((Date.now() - date.getTime()) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const text =
    a < 60
      ? `${a}s`
      : a < 3600
        ? `${Math.floor(a / 60)}m`
        : a < 86400
          ? `${Math.floor(a / 3600)}h`
          : `${Math.floor(a / 86400)}d`;
  return future ? `in ${text}` : `${text} ago`;
}

export function Json({ value }: { value: unknown }) {
  return (
    <Code block style={{ maxHeight: 320, overflow: 'auto' }}>
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

export function Failure({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <Alert color="red" title={problem?.title ?? 'Something went wrong'} role="alert">
      <Text size="sm">{error instanceof Error ? error.message : String(error)}</Text>
      {problem?.errors?.map((e, i) => (
        <Text size="sm" key={i}>
          {e.path}
          {e.line ? ` (line ${e.line}${e.column ? `, column ${e.column}` : ''})` : ''}: {e.message}
        </Text>
      ))}
    </Alert>
  );
}

export function Screen({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby="screen-title">
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2" id="screen-title">
          {title}
        </Title>
        <Group>{actions}</Group>
      </Group>
      {children}
    </section>
  );
}

export function Loading() {
  return <Loader aria-label="Loading" size="sm" />;
}
