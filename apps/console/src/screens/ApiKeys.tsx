import { Alert, Button, Code, Group, Select, Table, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok, type Schemas } from '../api/client';
import { Failure, Loading, Screen, When } from '../ui';

export function ApiKeys() {
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => ok(api.GET('/api/v1/api-keys')) });
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('viewer');
  const [created, setCreated] = useState<Schemas['ApiKeyCreated'] | null>(null);
  const create = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/api-keys', { body: { name, role } as never })),
    onSuccess: (key) => (setCreated(key), setName(''), void client.invalidateQueries({ queryKey: ['api-keys'] })),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  return (
    <Screen title="API keys">
      <form onSubmit={(e) => (e.preventDefault(), create.mutate())}>
        <Group align="end" mb="sm">
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
          <Select
            label="Role"
            data={['viewer', 'analyst', 'author', 'admin', 'ingest']}
            value={role}
            onChange={setRole}
            w={140}
          />
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </form>
      {created && (
        <Alert
          color="green"
          title={`Key for ${created.name} (${created.role}): copy it now, it is not shown again`}
          mb="sm"
          withCloseButton
          onClose={() => setCreated(null)}
        >
          <Code data-testid="new-key">{created.key}</Code>
        </Alert>
      )}
      <Failure error={keys.error ?? create.error ?? revoke.error} />
      {keys.isPending && <Loading />}
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Prefix</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.data?.items.map((k) => (
            <Table.Tr key={k.id}>
              <Table.Td>{k.name}</Table.Td>
              <Table.Td>{k.role}</Table.Td>
              <Table.Td>
                <Code>{k.prefix}</Code>
              </Table.Td>
              <Table.Td>
                <When at={k.createdAt} />
              </Table.Td>
              <Table.Td>
                <When at={k.lastUsedAt} />
              </Table.Td>
              <Table.Td>
                <Button size="xs" color="red" variant="subtle" onClick={() => revoke.mutate(k.id)}>
                  Revoke
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Screen>
  );
}
