import { Alert, Card, SimpleGrid, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { Link } from '../router';
import { Failure, Screen } from '../ui';

const DAY = 86_400_000;

export function Overview() {
  const data = useQuery({
    queryKey: ['overview'],
    queryFn: async () => {
      const since = Date.now() - DAY;
      const [waiting, failed, connectors, targets, automation] = await Promise.all([
        ok(api.GET('/api/v1/runs', { params: { query: { status: 'waiting', limit: 500 } } })),
        ok(
          api.GET('/api/v1/runs', {
            params: { query: { status: 'failed', from: new Date(since).toISOString(), limit: 500 } },
          }),
        ),
        ok(api.GET('/api/v1/connectors')),
        ok(api.GET('/api/v1/connection-targets')),
        ok(api.GET('/api/v1/automation')),
      ]);
      const soon = Date.now() + 30 * DAY;
      return {
        approvals: waiting.items.length,
        failed: failed.items.length,
        unhealthy: connectors.items.filter((c) => c.enabled && c.status !== 'ok' && c.status !== 'idle').length,
        expiring: targets.items.filter((t) => t.auth.expiresAt && new Date(t.auth.expiresAt).getTime() < soon).length,
        automation,
      };
    },
  });
  const tiles = data.data
    ? [
        { label: 'Pending approvals', value: data.data.approvals, to: '/approvals' },
        { label: 'Failed runs, last 24 h', value: data.data.failed, to: '/runs?status=failed&within=24h' },
        { label: 'Unhealthy connectors', value: data.data.unhealthy, to: '/connectors' },
        { label: 'Credentials expiring within 30 days', value: data.data.expiring, to: '/connection-targets' },
      ]
    : [];
  return (
    <Screen title="Overview">
      <Failure error={data.error} />
      {data.data?.automation.paused && (
        <Alert color="orange" title="Automation is paused" mb="md" role="status">
          Alert-fired runs are held before their next destructive action
          {data.data.automation.reason ? `: ${data.data.automation.reason}` : ''} (by{' '}
          {data.data.automation.by ?? 'unknown'}).
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        {tiles.map((t) => (
          <Card key={t.label} withBorder component={Link} to={t.to} aria-label={`${t.label}: ${t.value}`}>
            <Text size="xl" fw={700} data-testid={`tile-${t.to}`}>
              {t.value}
            </Text>
            <Text size="sm">{t.label}</Text>
          </Card>
        ))}
      </SimpleGrid>
    </Screen>
  );
}
