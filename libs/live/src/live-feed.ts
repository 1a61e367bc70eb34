import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { In } from 'typeorm';
import { type Role, roleAllows } from '@riposte/auth';
import { ConnectorEntity, Database, RunEntity, StepEntity } from '@riposte/persistence';

/** What changed, as small as it can be: ids and states, never inputs, outputs or secrets. */
export type LiveEvent =
  | { type: 'run'; runId: string; status: string; kind: string; playbook: string | null; alertId: string | null }
  | { type: 'step'; runId: string; step: string; status: string }
  | { type: 'approval'; runId: string; waiting: boolean; canDecide: boolean }
  | {
      type: 'connector';
      connectionTarget: string;
      feed: string;
      status: string;
      enabled: boolean;
      lastPollAt: string | null;
    };

/** The least role that receives each kind of event. */
const AUDIENCE: Record<LiveEvent['type'], Role> = {
  run: 'viewer',
  step: 'viewer',
  approval: 'viewer',
  connector: 'viewer',
};

const ACTIVE = ['queued', 'running', 'waiting'];
/** Most rows looked at per tick; beyond that, later ticks catch up. */
const MAX_ROWS = 5000;

export interface LiveSubscriber {
  role: Role;
  send(event: LiveEvent): void;
  close(): void;
}

/**
 * Tells subscribers what changed in runs, steps, approvals and connectors. It reads the
 * database once a tick while anyone listens (one set of queries per process, however many
 * people watch), so it sees changes made by every process sharing the database and needs
 * no hook inside the engine: the engine's rows are the truth, this only compares them.
 */
@Injectable()
export class LiveFeed implements OnModuleDestroy {
  private readonly subscribers = new Set<LiveSubscriber>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private baseline = false;
  private runs = new Map<string, string>();
  private steps = new Map<string, string>();
  private connectors = new Map<string, string>();
  private since = '';

  constructor(@Inject(Database) private readonly db: Database) {}

  /** Tick period; short enough that a person sees a change within about a second. */
  intervalMs = 750;

  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    if (!this.timer) {
      this.baseline = false;
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      this.timer.unref();
      void this.tick();
    }
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  get listeners(): number {
    return this.subscribers.size;
  }

  onModuleDestroy(): void {
    // Open streams would hold the HTTP server open at shutdown.
    for (const subscriber of [...this.subscribers]) subscriber.close();
    this.subscribers.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const events = await this.changes();
      if (!this.baseline) {
        this.baseline = true;
        return;
      }
      for (const subscriber of this.subscribers) {
        for (const event of events) {
          if (!roleAllows(subscriber.role, AUDIENCE[event.type])) continue;
          subscriber.send(
            event.type === 'approval' ? { ...event, canDecide: roleAllows(subscriber.role, 'analyst') } : event,
          );
        }
      }
    } catch {
      // The database is busy or closing: the next tick tries again.
    } finally {
      this.ticking = false;
    }
  }

  private async changes(): Promise<LiveEvent[]> {
    const events: LiveEvent[] = [];
    const startedAt = new Date(Date.now() - 2000).toISOString();
    const tracked = [...this.runs].filter(([, status]) => ACTIVE.includes(status)).map(([id]) => id);
    const query = this.db.reader
      .createQueryBuilder(RunEntity, 'r')
      .select(['r.id', 'r.status', 'r.kind', 'r.playbookId', 'r.alertId'])
      .where('r.status IN (:...active)', { active: ACTIVE });
    if (this.since) query.orWhere('r.createdAt >= :since', { since: this.since });
    const rows = await query.take(MAX_ROWS).getMany();
    // Runs seen active last time and not active now have ended: read their final state.
    const seen = new Set(rows.map((r) => r.id));
    const gone = tracked.filter((id) => !seen.has(id));
    for (let i = 0; i < gone.length; i += 500) {
      rows.push(
        ...(await this.db.reader.find(RunEntity, {
          select: ['id', 'status', 'kind', 'playbookId', 'alertId'],
          where: { id: In(gone.slice(i, i + 500)) },
        })),
      );
    }
    this.since = startedAt;

    const changedRuns: string[] = [];
    const next = new Map<string, string>();
    for (const run of rows) {
      const before = this.runs.get(run.id);
      next.set(run.id, run.status);
      if (before === run.status) continue;
      changedRuns.push(run.id);
      events.push({
        type: 'run',
        runId: run.id,
        status: run.status,
        kind: run.kind,
        playbook: run.playbookId,
        alertId: run.alertId,
      });
      if ((before === 'waiting') !== (run.status === 'waiting'))
        events.push({ type: 'approval', runId: run.id, waiting: run.status === 'waiting', canDecide: false });
    }
    // Remembered: active runs, and ended ones while the creation window still returns them.
    this.runs = next;

    // Steps of runs that are active or just changed.
    const stepRuns = [
      ...new Set([...[...next].filter(([, status]) => ACTIVE.includes(status)).map(([id]) => id), ...changedRuns]),
    ];
    const nextSteps = new Map<string, string>();
    for (let i = 0; i < stepRuns.length; i += 500) {
      const steps = await this.db.reader.find(StepEntity, {
        select: ['runId', 'stepKey', 'status'],
        where: { runId: In(stepRuns.slice(i, i + 500)) },
      });
      for (const step of steps) {
        const key = `${step.runId}/${step.stepKey}`;
        nextSteps.set(key, step.status);
        if (this.steps.get(key) !== step.status)
          events.push({ type: 'step', runId: step.runId, step: step.stepKey, status: step.status });
      }
    }
    this.steps = nextSteps;

    const nextConnectors = new Map<string, string>();
    for (const row of await this.db.reader.find(ConnectorEntity, {
      select: ['connectionTarget', 'feed', 'status', 'enabled', 'lastPollAt', 'message'],
    })) {
      const key = `${row.connectionTarget}/${row.feed}`;
      const print = JSON.stringify([row.status, row.enabled, row.lastPollAt, row.message]);
      nextConnectors.set(key, print);
      if (this.connectors.get(key) !== print)
        events.push({
          type: 'connector',
          connectionTarget: row.connectionTarget,
          feed: row.feed,
          status: row.status,
          enabled: Boolean(row.enabled),
          lastPollAt: row.lastPollAt,
        });
    }
    this.connectors = nextConnectors;
    return events;
  }
}
