import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, type FindOptionsWhere, In, LessThan, MoreThan } from 'typeorm';
import {
  AuditRecordEntity,
  Database,
  decodeCursor,
  encodeCursor,
  nowIso,
  type Page,
  type SqlParam,
} from '@riposte/persistence';
import { redactor } from '@riposte/observability';

export interface AuditEntry {
  actor: string;
  actorRole: string;
  /** What was done, e.g. `connection_target.create` or `action.azure_ad.disable_user`. */
  action: string;
  result: 'success' | 'failure' | 'denied' | 'planned';
  targetEntity?: string | null;
  connectionTarget?: string | null;
  runId?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditView extends Required<Omit<AuditEntry, 'detail'>> {
  id: string;
  seq: number;
  at: string;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery {
  limit: number;
  cursor?: string;
  action?: string;
  /** Any of these actions (for views built on the trail, e.g. the decisions of approvals). */
  actions?: string[];
  actor?: string;
  runId?: string;
  connectionTarget?: string;
}

const GENESIS = '0'.repeat(64);
/** The chain's head and a new link: prepared once (see Database.run). */
const HEAD_SQL = 'SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1';
const INSERT_SQL = `INSERT INTO audit_records (id, at, actor, "actorRole", action, result, "targetEntity",
  "connectionTarget", "runId", "requestId", detail, "prevHash", hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
/** The same link, written only if the chain's head is still the one it links to (`headIs`). */
const INSERT_IF_HEAD_SQL = `INSERT INTO audit_records (id, at, actor, "actorRole", action, result, "targetEntity",
  "connectionTarget", "runId", "requestId", detail, "prevHash", hash) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
  WHERE ${headIsSql('$14')}`;

function headIsSql(param: string): string {
  return `COALESCE((SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1), '${GENESIS}') = ${param}`;
}

/**
 * For a statement that appends a record without a transaction around it: SQL true while the
 * chain's head is `head` (its parameter pushed onto `params`). Checked and written in one
 * statement, so the link is right whatever else appends (another process, the CLI).
 */
export type HeadIs = (params: SqlParam[]) => string;

/**
 * The audit trail. Each record carries the hash of the one before it, so a deleted or edited
 * record breaks the chain where it happened.
 */
@Injectable()
export class AuditLog {
  /**
   * The last hash written in each open transaction: several records appended in one (a group
   * commit) read the head once. Safe because the transaction holds the write lock from its first
   * insert; a rolled-back transaction's manager is never used again.
   */
  private readonly written = new WeakMap<EntityManager, string>();
  /**
   * SQLite: the last hash this process wrote, so that a record alone (the writer idle) is one
   * statement checking it is still the head, instead of a transaction that reads the head first.
   * Only a hint: when it is wrong (another process appended, a transaction rolled back) the
   * statement writes nothing and the record takes the transactional way.
   */
  private head: string | undefined;
  private readonly postgres: boolean;

  constructor(private readonly db: Database) {
    this.postgres = db.dataSource.options.type === 'postgres';
  }

  /** Appends a record; inside `manager`'s transaction when given, so it commits with the change it describes. */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    if (manager) return this.append(entry, manager);
    const alone = await this.appendAlone(entry, (record, headIs) => {
      const params = [...record];
      headIs(params); // the 14th parameter, as INSERT_IF_HEAD_SQL has it
      return this.db.runAlone(INSERT_IF_HEAD_SQL, params);
    });
    if (alone) return;
    await this.db.transaction((m) => this.append(entry, m));
  }

  /**
   * SQLite, with the writer idle and the head known: the record written by one statement of the
   * caller's, without a transaction: `write` gets the record's values (INSERT_SQL's order) and
   * `headIs` for its WHERE, and returns the rows it changed. False when nothing was written
   * (not idle, the head unknown or moved, or the caller's own condition refused): the caller
   * then takes its transactional way.
   */
  async appendAlone(
    entry: AuditEntry,
    write: (record: SqlParam[], headIs: HeadIs) => Promise<number>,
  ): Promise<boolean> {
    return this.appendAllAlone([entry], (records, headIs) => write(records[0] as SqlParam[], headIs));
  }

  /** `appendAlone` for several records, chained in the order given and written by one statement. */
  async appendAllAlone(
    entries: AuditEntry[],
    write: (records: SqlParam[][], headIs: HeadIs) => Promise<number>,
  ): Promise<boolean> {
    const head = this.head;
    if (this.postgres || head === undefined || !this.db.writerIdle) return false;
    const { records, last } = this.chain(entries, head);
    const headIs: HeadIs = (params) => {
      params.push(head);
      return headIsSql(`$${params.length}`);
    };
    if ((await write(records, headIs)) !== 1) return false;
    this.head = last;
    return true;
  }

  /**
   * Appends a record inside `m`'s transaction through a write of the caller's: `write` gets the
   * record as the `audit` column of an effect's settle carries it (its values as a JSON array;
   * see SettleAudit1765010100000), so the settle and its record are one statement.
   */
  async recordWith(entry: AuditEntry, m: EntityManager, write: (record: string) => Promise<void>): Promise<void> {
    await this.append(entry, m, (values) => write(JSON.stringify(values)));
  }

  /**
   * Records linked inside `m`'s transaction, for a write of the caller's that appends them in the
   * order given (the journal's, see JournalSettles1765010200000): their values in INSERT_SQL's
   * order. The caller's write must follow in the same transaction.
   */
  async linkWithin(entries: AuditEntry[], m: EntityManager): Promise<SqlParam[][]> {
    const { records, last } = this.chain(entries, await this.headWithin(m));
    this.linked(m, last);
    return records;
  }

  async list(query: AuditQuery): Promise<Page<AuditView>> {
    const where: FindOptionsWhere<AuditRecordEntity> = {};
    if (query.action) where.action = query.action;
    else if (query.actions) where.action = In(query.actions);
    if (query.actor) where.actor = query.actor;
    if (query.runId) where.runId = query.runId;
    if (query.connectionTarget) where.connectionTarget = query.connectionTarget;
    const after = decodeCursor(query.cursor, ['number']);
    if (after) where.seq = LessThan(after[0]);
    const rows = await this.db.reader.find(AuditRecordEntity, { where, order: { seq: 'DESC' }, take: query.limit + 1 });
    const items = rows.slice(0, query.limit).map(toView);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.seq]) : null };
  }

  /** Walks the chain from the start; returns the first record that does not match, if any. */
  /** Walks the chain from the first record; `head` is the last hash (kept elsewhere, it also reveals a cut-off tail). */
  async verify(): Promise<{
    ok: boolean;
    checked: number;
    head: string;
    firstBroken?: { seq: number; id: string; reason: string };
  }> {
    let prev = GENESIS;
    let checked = 0;
    let lastSeq = 0;
    for (;;) {
      const batch = await this.db.reader.find(AuditRecordEntity, {
        where: { seq: MoreThan(lastSeq) },
        order: { seq: 'ASC' },
        take: 1000,
      });
      if (batch.length === 0) return { ok: true, checked, head: prev };
      for (const row of batch) {
        if (row.prevHash !== prev)
          return {
            ok: false,
            checked,
            head: prev,
            firstBroken: {
              seq: row.seq,
              id: row.id,
              reason: 'its previous-hash does not match the record before it (a record was removed or reordered)',
            },
          };
        if (hashOf(row) !== row.hash)
          return {
            ok: false,
            checked,
            head: prev,
            firstBroken: {
              seq: row.seq,
              id: row.id,
              reason: 'its content does not match its hash (the record was edited)',
            },
          };
        prev = row.hash;
        checked += 1;
        lastSeq = row.seq;
      }
    }
  }

  private async append(
    entry: AuditEntry,
    m: EntityManager,
    write: (values: SqlParam[]) => Promise<unknown> = (values) => this.db.run(m, INSERT_SQL, values),
  ): Promise<void> {
    const { values, hash } = this.link(entry, await this.headWithin(m));
    await write(values);
    this.linked(m, hash);
  }

  /** The chain's head as `m`'s transaction sees it. */
  private async headWithin(m: EntityManager): Promise<string> {
    // Read inside the writing transaction, never across transactions: the CLI, or another node of
    // a cluster, may append at the same time. The lock makes that read and this insert one step.
    const written = this.written.get(m);
    if (written !== undefined) return written;
    await Database.lock(m, 'audit-chain-head');
    return (await this.db.all<{ hash: string }>(m, HEAD_SQL, []))[0]?.hash ?? GENESIS;
  }

  private linked(m: EntityManager, hash: string): void {
    this.written.set(m, hash);
    if (!this.postgres) this.head = hash;
  }

  private chain(entries: AuditEntry[], head: string): { records: SqlParam[][]; last: string } {
    const records: SqlParam[][] = [];
    let last = head;
    for (const entry of entries) {
      const { values, hash } = this.link(entry, last);
      records.push(values);
      last = hash;
    }
    return { records, last };
  }

  /** A record linked to `prevHash`: its values in INSERT_SQL's order (and SettleAudit1765010100000's), and its hash. */
  private link(entry: AuditEntry, prevHash: string): { values: SqlParam[]; hash: string } {
    const row = {
      id: randomUUID(),
      at: nowIso(),
      actor: entry.actor,
      actorRole: entry.actorRole,
      action: entry.action,
      result: entry.result,
      targetEntity: entry.targetEntity ?? null,
      connectionTarget: entry.connectionTarget ?? null,
      runId: entry.runId ?? null,
      requestId: entry.requestId ?? null,
      detail: entry.detail ? redactor.redact(entry.detail) : null,
      prevHash,
    };
    const hash = hashOf(row);
    const values = [
      row.id,
      row.at,
      row.actor,
      row.actorRole,
      row.action,
      row.result,
      row.targetEntity,
      row.connectionTarget,
      row.runId,
      row.requestId,
      row.detail === null ? null : JSON.stringify(row.detail),
      row.prevHash,
      hash,
    ];
    return { values, hash };
  }
}

type Hashed = Omit<AuditRecordEntity, 'seq' | 'hash'>;

function hashOf(row: Hashed): string {
  const canonical = JSON.stringify([
    row.prevHash,
    row.id,
    row.at,
    row.actor,
    row.actorRole,
    row.action,
    row.result,
    row.targetEntity,
    row.connectionTarget,
    row.runId,
    row.requestId,
    row.detail,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function toView(row: AuditRecordEntity): AuditView {
  return {
    id: row.id,
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    actorRole: row.actorRole,
    action: row.action,
    result: row.result as AuditView['result'],
    targetEntity: row.targetEntity,
    connectionTarget: row.connectionTarget,
    runId: row.runId,
    requestId: row.requestId,
    detail: row.detail,
  };
}
