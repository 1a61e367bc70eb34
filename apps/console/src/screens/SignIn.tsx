import { Button, Card, Center, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';

/** Paste an API key; it is kept for this tab only (sessionStorage). */
export function SignIn({ onSignIn, error }: { onSignIn: (key: string) => void; error: unknown }) {
  const [key, setKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim()) onSignIn(key.trim());
  };
  const refused =
    error instanceof ApiError
      ? error.status === 401
        ? 'That key was refused: it is unknown or revoked.'
        : error.message
      : error
        ? 'The service could not be reached.'
        : null;
  return (
    <Center mih="100vh">
      <main>
        <Card withBorder w={420} p="lg">
          <form onSubmit={submit}>
            <Stack>
              <Title order={1} size="h3">
                Sign in to Riposte
              </Title>
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
              {refused && (
                <Text c="red" size="sm" role="alert">
                  {refused}
                </Text>
              )}
              <Button type="submit">Sign in</Button>
            </Stack>
          </form>
        </Card>
      </main>
    </Center>
  );
}
