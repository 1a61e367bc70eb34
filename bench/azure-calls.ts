import type { FakeCloud } from '@riposte/fake-cloud';

/** Counts the calls the fake cloud answers by method and path shape (`PATCH /graph/v1.0/users/{upn}`). */
export class AzureCallMix {
  private readonly counts = new Map<string, number>();
  private active = true;

  constructor(fake: FakeCloud) {
    fake.on('request', (record) => {
      if (!this.active) return;
      const key = `${record.method} ${shape(record.path)}${record.batched ? ' (in $batch)' : ''}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    });
  }

  stop(): void {
    this.active = false;
  }

  /** Calls per unit (per run, per user), most frequent first. */
  perUnit(units: number): { call: string; perUnit: number; total: number }[] {
    return [...this.counts.entries()]
      .map(([call, total]) => ({ call, total, perUnit: Math.round((total / Math.max(1, units)) * 100) / 100 }))
      .sort((a, b) => b.total - a.total);
  }
}

function shape(path: string): string {
  return path
    .replace(/bench-user-\d+@contoso\.com/gi, '{upn}')
    .replace(/bench-[a-z]+-\d+/gi, '{alertId}')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{guid}');
}
