import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Text,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type QueryClient, useIsFetching, useIsMutating } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { type Role, roleAllows } from './api/client';
import { useLiveUpdates } from './live';
import { Link, useLocation } from './router';
import { ActionCenter } from './screens/ActionCenter';
import { AlertDetail, Alerts } from './screens/Alerts';
import { ApiKeys } from './screens/ApiKeys';
import { Approvals } from './screens/Approvals';
import { Audit } from './screens/Audit';
import { ConnectionTargets } from './screens/ConnectionTargets';
import { Connectors } from './screens/Connectors';
import { Guardrails } from './screens/Guardrails';
import { Overview } from './screens/Overview';
import { Playbooks } from './screens/Playbooks';
import { Respond } from './screens/Respond';
import { RunDetail } from './screens/RunDetail';
import { Runs } from './screens/Runs';
import { SignIn } from './screens/SignIn';
import { useSession } from './session';
import { Loading, MeContext } from './ui';

// The editor (Monaco) and the graph (Mermaid) are large: loaded only on the screen that uses them.
const PlaybookEditor = lazy(() => import('./screens/PlaybookEditor'));

const NAV: { to: string; label: string; role: Role }[] = [
  { to: '/', label: 'Overview', role: 'viewer' },
  { to: '/approvals', label: 'Approvals', role: 'viewer' },
  { to: '/runs', label: 'Runs', role: 'viewer' },
  { to: '/respond', label: 'Respond', role: 'analyst' },
  { to: '/actions', label: 'Action center', role: 'viewer' },
  { to: '/alerts', label: 'Alerts', role: 'viewer' },
  { to: '/playbooks', label: 'Playbooks', role: 'viewer' },
  { to: '/connection-targets', label: 'Connection targets', role: 'viewer' },
  { to: '/connectors', label: 'Connectors', role: 'viewer' },
  { to: '/guardrails', label: 'Guardrails', role: 'viewer' },
  { to: '/audit', label: 'Audit', role: 'admin' },
  { to: '/api-keys', label: 'API keys', role: 'admin' },
];

function route(path: string) {
  const [, first, second, third] = path.split('/');
  switch (first) {
    case '':
      return <Overview />;
    case 'approvals':
      return <Approvals />;
    case 'runs':
      return second ? <RunDetail id={second} /> : <Runs />;
    case 'respond':
      return <Respond />;
    case 'actions':
      return <ActionCenter />;
    case 'alerts':
      return second ? <AlertDetail id={second} /> : <Alerts />;
    case 'playbooks':
      return second ? <PlaybookEditor id={third === undefined && second === 'new' ? null : second} /> : <Playbooks />;
    case 'connection-targets':
      return <ConnectionTargets />;
    case 'connectors':
      return <Connectors />;
    case 'guardrails':
      return <Guardrails />;
    case 'audit':
      return <Audit />;
    case 'api-keys':
      return <ApiKeys />;
    default:
      return <Text>There is no screen at {path}.</Text>;
  }
}

export function App({ client }: { client: QueryClient }) {
  const { session, me, starting, error, signInWithKey, signOut, microsoft } = useSession(client);
  const busy = useIsFetching() + useIsMutating() > 0;
  useEffect(() => {
    const refused = () => signOut(false);
    window.addEventListener('riposte:unauthenticated', refused);
    return () => window.removeEventListener('riposte:unauthenticated', refused);
  });
  const live = useLiveUpdates(client, Boolean(me.data));
  const { path } = useLocation();
  const [opened, { toggle }] = useDisclosure();
  const { toggleColorScheme, colorScheme } = useMantineColorScheme();

  if (starting) return <Loading />;
  if (!session || me.isError) return <SignIn error={error} onSignIn={signInWithKey} microsoft={microsoft} />;
  if (!me.data) return <Loading />;

  return (
    <MeContext.Provider value={me.data}>
      <AppShell
        header={{ height: 52 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group>
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
              <Text fw={700}>Riposte</Text>
              <Badge
                variant="dot"
                color={live === 'live' ? 'green' : live === 'connecting' ? 'yellow' : 'red'}
                aria-live="polite"
              >
                {live === 'live' ? 'live' : live === 'connecting' ? 'connecting' : 'offline'}
              </Badge>
            </Group>
            <Group>
              <Text size="sm" data-testid="whoami">
                {me.data.name} · {me.data.role}
              </Text>
              <ActionIcon
                variant="default"
                onClick={toggleColorScheme}
                aria-label={`Switch to ${colorScheme === 'dark' ? 'light' : 'dark'} theme`}
              >
                {colorScheme === 'dark' ? '☀' : '☾'}
              </ActionIcon>
              <Button size="xs" variant="default" onClick={() => signOut(true)}>
                Sign out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" component="nav" aria-label="Screens">
          <ScrollArea>
            {NAV.filter((n) => roleAllows(me.data.role, n.role)).map((n) => (
              <NavLink
                key={n.to}
                component={Link}
                to={n.to}
                label={n.label}
                active={n.to === '/' ? path === '/' : path.startsWith(n.to)}
              />
            ))}
          </ScrollArea>
        </AppShell.Navbar>
        {/* aria-busy while data is on its way: assistive technology waits, and so do the browser tests. */}
        <AppShell.Main aria-busy={busy}>
          <Suspense fallback={<Loading />}>{route(path)}</Suspense>
        </AppShell.Main>
      </AppShell>
    </MeContext.Provider>
  );
}
