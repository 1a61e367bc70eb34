import { Button, Card, Center, Divider, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';

/** Why the last sign-in did not get in, in words. */
function refusal(error: unknown): string | null {
  if (error instanceof ApiError) {
    if (error.problem?.code === 'no_role')
      return 'You signed in, but your account has no Riposte role. Ask an Entra ID administrator to assign you one of Riposte’s app roles.';
    return error.status === 401 ? 'That key was refused: it is unknown or revoked.' : error.message;
  }
  return error ? 'The service could not be reached.' : null;
}

/**
 * Paste an API key (kept for this tab only, in sessionStorage), or sign in with Microsoft when
 * the service offers Entra ID sign-in.
 */
export function SignIn({
  onSignIn,
  error,
  microsoft,
}: {
  onSignIn: (key: string) => void;
  error: unknown;
  /** Present when the service offers Entra ID sign-in; `signOut` when someone is signed in without a role. */
  microsoft?: { signIn: () => void; signOut?: () => void; busy: boolean };
}) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) onSignIn(key.trim());
  };
  const refused = refusal(error);
  return (
    <Center mih="100vh">
      <main>
        <Card withBorder w={420} p="lg">
          <Stack>
            <Title order={1} size="h3">
              Sign in to Riposte
            </Title>
            {refused && (
              <Text c="red" size="sm" role="alert">
                {refused}
              </Text>
            )}
            {microsoft && (
              <>
                {microsoft.signOut ? (
                  <Button variant="default" onClick={microsoft.signOut}>
                    Sign out of Microsoft
                  </Button>
                ) : (
                  <Button onClick={microsoft.signIn} loading={microsoft.busy}>
                    Sign in with Microsoft
                  </Button>
                )}
                <Divider label="or" labelPosition="center" />
              </>
            )}
            <form onSubmit={submit}>
              <Stack>
                <Text size="sm" c="dimmed">
                  Paste an API key. It stays in this browser tab only and is forgotten when the tab closes.
                </Text>
                <PasswordInput
                  label="API key"
                  value={key}
                  onChange={(e) => setKey(e.currentTarget.value)}
                  autoComplete="off"
                  data-autofocus
                  required
                />
                <Button type="submit" variant={microsoft ? 'default' : 'filled'}>
                  Sign in
                </Button>
              </Stack>
            </form>
          </Stack>
        </Card>
      </main>
    </Center>
  );
}
