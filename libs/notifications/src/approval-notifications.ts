import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { In, MoreThan, MoreThanOrEqual } from 'typeorm';
import { AppConfig } from '@riposte/config';
import { ClusterDuties, Database, RunEntity, RunEventEntity } from '@riposte/persistence';
import { isUnfinishedRun } from '@riposte/vocabulary';
import { Notifier } from './notifier.js';

const REQUESTED = 'approval.requested';
const DECIDED = 'approval.decided';
const LOOKBACK_MS = 7 * 86_400_000;
const CATCH_UP_PAGE = 1000;
const MAX_REMIND_BEFORE_MS = 30 * 60_000;

interface Requested {
  runId: string;
  step: string;
  at: number;
  channel: string;
  prompt: string;
  approvers: string[];
  deadline: number | null;
}

/**
 * Tells approvers where they are. Follows the run events the journal already writes
 * (`approval.requested`, `approval.decided`) instead of hooking into the engine: when an approval
 * step names a channel, its approvers get the prompt and how to decide, and a reminder before
 * the timeout (a quarter of the wait before it, at most 30 minutes) unless someone decided.
 * Reminders of approvals still open are set again at start. A channel that fails is logged; the
 * run never waits on it. In a cluster one api process does this (the duty 'approval notices',
 * ClusterDuties); a process that takes the duty over reminds about what is still open.
 */
@Injectable()
export class ApprovalNotifications implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ApprovalNotifications.name);
  private cursor = 0;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  /** This process holds the duty: it follows the events. */
  private following = false;
  private catchingUp: Promise<void> | undefined;
  private readonly reminders = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly db: Database,
    private readonly notifier: Notifier,
    private readonly config: AppConfig,
    private readonly duties: ClusterDuties,
  ) {}

  onApplicationBootstrap(): void {
    // Told by one api process of a cluster (the one holding the duty): every process following the
    // events would tell approvers once each.
    if (this.config.role === 'worker') return;
    void this.duties.hold(
      'approval notices',
      () => this.follow(),
      () => this.unfollow(),
    );
  }

  private follow(): void {
    this.following = true;
    // Off the start path: with many runs waiting for a person this reads many events, and the
    // service must answer (and resume due runs) meanwhile.
    this.catchingUp = this.catchUp()
      .catch((error: unknown) =>
        this.logger.warn({ error: (error as Error).message }, 'could not read approval events'),
      )
      .finally(() => {
        if (this.stopped || !this.following) return;
        this.poller = setInterval(() => void this.poll(), this.config.approvalNotifications.pollMs);
        this.poller.unref();
      });
  }

  /** Another process tells approvers now: this one stops, its reminders with it. */
  private async unfollow(): Promise<void> {
    this.following = false;
    // Taken again later, this process catches up like any other: the reminders of what is open.
    this.cursor = 0;
    await this.catchingUp;
    clearInterval(this.poller);
    for (const timer of this.reminders.values()) clearTimeout(timer);
    this.reminders.clear();
  }

  /** The requests told before a restart that are still open: only their reminders are still due. */
  private async catchUp(): Promise<void> {
    const since = new Date(Date.now() - LOOKBACK_MS).toISOString();
    const open = new Map<string, Requested>();
    // A page at a time: memory stays bounded whatever the number of approvals in the window.
    for (let page: RunEventEntity[] = []; !this.stopped;) {
      page = await this.db.reader.find(RunEventEntity, {
        where: { type: In([REQUESTED, DECIDED]), at: MoreThanOrEqual(since), seq: MoreThan(this.cursor) },
        order: { seq: 'ASC' },
        take: CATCH_UP_PAGE,
      });
      for (const event of page) {
        const request = this.requested(event);
        if (request) open.set(key(request.runId, request.step), request);
        else open.delete(key(event.runId, event.stepKey ?? ''));
        this.cursor = Math.max(this.cursor, event.seq);
      }
      if (page.length < CATCH_UP_PAGE) break;
    }
    if (!this.stopped && this.following) for (const request of open.values()) this.scheduleReminder(request);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.unfollow();
  }

  /** New approval events since the last look. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const events = await this.db.reader.find(RunEventEntity, {
        where: { type: In([REQUESTED, DECIDED]), seq: MoreThan(this.cursor) },
        order: { seq: 'ASC' },
        take: 500,
      });
      for (const event of events) {
        if (!this.following) break;
        this.cursor = Math.max(this.cursor, event.seq);
        const request = this.requested(event);
        if (!request) {
          this.clearReminder(key(event.runId, event.stepKey ?? ''));
          continue;
        }
        await this.tell(request, false);
        this.scheduleReminder(request);
      }
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'could not read approval events');
    } finally {
      this.polling = false;
    }
  }

  private requested(event: RunEventEntity): Requested | null {
    if (event.type !== REQUESTED || !event.stepKey) return null;
    const detail = (event.detail ?? {}) as {
      channel?: string;
      prompt?: string;
      approvers?: string[];
      deadline?: string | number | null;
    };
    if (!detail.channel) return null;
    const deadline =
      detail.deadline === null || detail.deadline === undefined
        ? null
        : typeof detail.deadline === 'number'
          ? detail.deadline
          : Date.parse(detail.deadline);
    return {
      runId: event.runId,
      step: event.stepKey,
      at: Date.parse(event.at),
      channel: detail.channel,
      prompt: detail.prompt ?? '',
      approvers: detail.approvers ?? ['analyst'],
      deadline: Number.isFinite(deadline) ? deadline : null,
    };
  }

  private scheduleReminder(request: Requested): void {
    if (request.deadline === null || !this.following) return;
    const remindAt = request.deadline - Math.min(MAX_REMIND_BEFORE_MS, (request.deadline - request.at) / 4);
    const id = key(request.runId, request.step);
    this.clearReminder(id);
    const timer = setTimeout(
      () => {
        this.reminders.delete(id);
        this.remindIfOpen(request).catch((error: unknown) =>
          this.logger.warn({ runId: request.runId, error: (error as Error).message }, 'could not send a reminder'),
        );
      },
      Math.max(0, remindAt - Date.now()),
    );
    timer.unref();
    this.reminders.set(id, timer);
  }

  private clearReminder(id: string): void {
    clearTimeout(this.reminders.get(id));
    this.reminders.delete(id);
  }

  private async remindIfOpen(request: Requested): Promise<void> {
    const run = await this.db.reader.findOne(RunEntity, { where: { id: request.runId } });
    const decided = await this.db.reader.exists(RunEventEntity, {
      where: { runId: request.runId, stepKey: request.step, type: DECIDED },
    });
    // Open while nobody decided and the run goes on: it may be running another branch meanwhile.
    if (run && isUnfinishedRun(run.status) && !decided) await this.tell(request, true);
    else
      this.logger.log(
        { runId: request.runId, step: request.step, status: run?.status ?? null, decided },
        'no reminder: the approval is no longer open',
      );
  }

  private async tell(request: Requested, reminder: boolean): Promise<void> {
    const run = await this.db.reader.findOne(RunEntity, { where: { id: request.runId } });
    const base = this.config.publicUrl ?? `http://${this.config.http.host}:${this.config.http.port}`;
    const decide = `${base}/api/v1/runs/${request.runId}/approvals/${request.step}`;
    const deadline = request.deadline === null ? null : new Date(request.deadline).toISOString();
    try {
      await this.notifier.send(request.channel, {
        title: `${reminder ? 'Reminder: approval still needed' : 'Approval needed'}${run?.playbookId ? ` (${run.playbookId})` : ''}`,
        text: `${request.prompt}\n\nDecide with POST ${decide} {"decision": "approve"} or {"decision": "reject"}.`,
        facts: {
          Run: request.runId,
          Step: request.step,
          Approvers: request.approvers.join(', '),
          ...(deadline ? { Deadline: deadline } : {}),
          ...(run?.dryRun ? { 'Dry run': 'yes' } : {}),
        },
        link: { title: 'Open the run', url: `${base}/api/v1/runs/${request.runId}` },
      });
    } catch (error) {
      this.logger.warn(
        { runId: request.runId, step: request.step, channel: request.channel, error: (error as Error).message },
        'could not notify approvers',
      );
    }
  }
}

function key(runId: string, step: string): string {
  return `${runId}/${step}`;
}
