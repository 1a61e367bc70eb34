import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { ActionCatalogue } from '@riposte/actions';
import { NotFoundError, RiposteError } from '@riposte/errors';
import {
  actionManifest,
  type LoadedPlaybook,
  loadedPlaybook,
  type LoadResult,
  loadPlaybook,
  restorePlaybook,
  PlaybookPool,
  type PlaybookDefinition,
  type TextRehearsal,
} from '@riposte/playbooks';
import { Database, nowIso, PlaybookEntity, PlaybookVersionEntity, RecentRead } from '@riposte/persistence';

const ENABLED_CACHE_MS = 1_000;

export interface SavedPlaybook {
  id: string;
  version: number;
  sha256: string;
  /** A new playbook (201), rather than a new version or the same content again (200). */
  created: boolean;
  /** False when the content was the current version already. */
  changed: boolean;
}

/** Whether alerts fire a playbook on their own, and who decided it. */
export interface AutomationView {
  enabled: boolean;
  changedBy: string | null;
  changedAt: string | null;
  reason: string | null;
}

export function automationView(
  row: Pick<PlaybookEntity, 'enabled' | 'automationBy' | 'automationAt' | 'automationReason'>,
): AutomationView {
  return {
    enabled: row.enabled,
    changedBy: row.automationBy,
    changedAt: row.automationAt,
    reason: row.automationReason,
  };
}

export interface PlaybookSummary {
  id: string;
  name: string;
  version: number;
  enabled: boolean;
  automation: AutomationView;
  source: string;
  file: string | null;
  triggers: LoadedPlaybook['definition']['triggers'];
  updatedAt: string;
}

/**
 * Playbooks and all their versions, in the database. Every version is kept: a run is pinned
 * to the version it started on, and compiles from that version's YAML, whatever happened since.
 */
@Injectable()
export class PlaybookStore implements OnModuleDestroy {
  /** Versions checked, each compiling its machine on first use: a run compiles once per version. */
  private readonly compiled = new Map<string, LoadedPlaybook>();
  /** Uploaded playbook text is checked here, off the event loop (started by the first upload). */
  private readonly pool = new PlaybookPool({ actions: () => actionManifest(this.catalogue.asLookup()) });
  /** The enabled playbooks: every alert asks. */
  private readonly enabledPlaybooks = new RecentRead(ENABLED_CACHE_MS, () => this.readEnabled());

  constructor(
    private readonly db: Database,
    private readonly catalogue: ActionCatalogue,
  ) {}

  /** Checks on this thread: for the playbooks folder, read at startup and by an author's edit. */
  load(text: string, file: string): LoadResult {
    return loadPlaybook(text, { file, actions: this.catalogue.asLookup() });
  }

  /**
   * Checks uploaded playbook text in the worker thread, so the event loop keeps answering
   * meanwhile; refused with 503 when too many wait.
   */
  async check(text: string, file: string): Promise<LoadResult> {
    const result = await this.pool.run({ kind: 'check', text, file });
    return result.ok ? { ok: true, playbook: loadedPlaybook(result.playbook) } : result;
  }

  /** A rehearsal of playbook text (unsaved) in the worker thread: nothing stored, no Azure. */
  rehearse(playbook: string, rehearsal: string): Promise<TextRehearsal> {
    return this.pool.run({ kind: 'rehearse', playbook, rehearsal });
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.close();
  }

  /** Stores a loaded playbook as a new version, unless it is the current one already. */
  async save(
    loaded: LoadedPlaybook,
    origin: { source: 'file' | 'api'; file?: string | null; by?: string | null },
  ): Promise<SavedPlaybook> {
    const { id, name, enabled } = loaded.definition;
    return this.db
      .transaction(async (m) => {
        // The next version number is read and taken as one: two uploads at once get 2 and 3, not 2 twice.
        await Database.lock(m, `playbook:${id}`);
        const existing = await m.findOne(PlaybookEntity, { where: { id } });
        const current = existing
          ? await m.findOne(PlaybookVersionEntity, { where: { playbookId: id, version: existing.currentVersion } })
          : null;
        if (existing && !existing.deletedAt && current?.sha256 === loaded.sha256) {
          if (existing.source !== origin.source || existing.file !== (origin.file ?? null))
            await m.update(PlaybookEntity, { id }, { source: origin.source, file: origin.file ?? null });
          return { id, version: existing.currentVersion, sha256: loaded.sha256, created: false, changed: false };
        }
        const latest = await m.findOne(PlaybookVersionEntity, {
          where: { playbookId: id },
          order: { version: 'DESC' },
        });
        const version = (latest?.version ?? 0) + 1;
        const now = nowIso();
        await m.insert(PlaybookVersionEntity, {
          id: randomUUID(),
          playbookId: id,
          version,
          sha256: loaded.sha256,
          yaml: loaded.source,
          definition: JSON.stringify(loaded.definition),
          createdBy: origin.by ?? null,
          createdAt: now,
        });
        // Automation stays as a person left it; a new playbook (or one deleted before) starts with it off.
        // A version that says `enabled: false` turns it off: never on, that takes an explicit act (setAutomation).
        const kept = existing && !existing.deletedAt ? existing : null;
        const turnedOff = enabled === false && kept?.enabled === true;
        const automation = turnedOff
          ? {
              enabled: false,
              automationBy: origin.by ?? `file:${origin.file ?? id}`,
              automationAt: now,
              automationReason: `version ${version} says enabled: false`,
            }
          : {
              enabled: kept?.enabled ?? false,
              automationBy: kept?.automationBy ?? null,
              automationAt: kept?.automationAt ?? null,
              automationReason: kept?.automationReason ?? null,
            };
        const row: PlaybookEntity = {
          id,
          name,
          currentVersion: version,
          ...automation,
          source: origin.source,
          file: origin.file ?? null,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
          deletedAt: null,
        };
        await m.save(PlaybookEntity, row);
        this.compiled.set(`${id}@${version}`, loaded);
        return { id, version, sha256: loaded.sha256, created: !existing || existing.deletedAt !== null, changed: true };
      })
      .finally(() => this.enabledPlaybooks.clear());
  }

  async list(): Promise<PlaybookSummary[]> {
    const rows = await this.db.reader.find(PlaybookEntity, { where: { deletedAt: IsNull() }, order: { id: 'ASC' } });
    const out: PlaybookSummary[] = [];
    for (const row of rows) {
      const loaded = await this.version(row.id, row.currentVersion).catch(() => null);
      out.push({
        id: row.id,
        name: row.name,
        version: row.currentVersion,
        enabled: row.enabled,
        automation: automationView(row),
        source: row.source,
        file: row.file,
        triggers: loaded?.definition.triggers ?? [],
        updatedAt: row.updatedAt,
      });
    }
    return out;
  }

  /** The playbook loaded from `file` when its current version is still this text (the file did not change). */
  async unchangedFile(file: string, sha256: string): Promise<{ id: string; version: number } | null> {
    const row = await this.db.reader.findOne(PlaybookEntity, { where: { file, source: 'file', deletedAt: IsNull() } });
    if (!row) return null;
    const current = await this.db.reader.findOne(PlaybookVersionEntity, {
      where: { playbookId: row.id, version: row.currentVersion },
      select: { sha256: true },
    });
    return current?.sha256 === sha256 ? { id: row.id, version: row.currentVersion } : null;
  }

  async find(id: string): Promise<PlaybookEntity> {
    const row = await this.db.reader.findOne(PlaybookEntity, { where: { id, deletedAt: IsNull() } });
    if (!row) throw new NotFoundError('Playbook', id);
    return row;
  }

  async versions(
    id: string,
  ): Promise<{ version: number; sha256: string; createdAt: string; createdBy: string | null }[]> {
    const rows = await this.db.reader.find(PlaybookVersionEntity, {
      where: { playbookId: id },
      order: { version: 'DESC' },
      select: { version: true, sha256: true, createdAt: true, createdBy: true },
    });
    return rows.map(({ version, sha256, createdAt, createdBy }) => ({ version, sha256, createdAt, createdBy }));
  }

  /** A version compiled, from memory or from its stored YAML. */
  async version(id: string, version: number): Promise<LoadedPlaybook> {
    const key = `${id}@${version}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const row = await this.db.reader.findOne(PlaybookVersionEntity, { where: { playbookId: id, version } });
    if (!row) throw new NotFoundError('Playbook version', key);
    // Read here, not in the worker: runs wait on this, and must not wait for a worker to start
    // (nor fail for a reason not their own). It passed the checks once; the machine is compiled
    // later. Versions stored before their definition was kept are checked from their YAML.
    const file = `${id} v${version}`;
    const result = row.definition
      ? restorePlaybook(
          JSON.parse(row.definition) as PlaybookDefinition,
          { source: row.yaml, sha256: row.sha256 },
          {
            file,
            actions: this.catalogue.asLookup(),
          },
        )
      : this.load(row.yaml, file);
    if (!result.ok)
      throw new RiposteError(
        'unprocessable',
        `Version ${version} of playbook ${id} no longer loads: ${result.errors[0]?.message}`,
        'playbook_unloadable',
      );
    this.compiled.set(key, result.playbook);
    return result.playbook;
  }

  async current(id: string): Promise<{ row: PlaybookEntity; playbook: LoadedPlaybook }> {
    const row = await this.find(id);
    return { row, playbook: await this.version(id, row.currentVersion) };
  }

  /** Soft delete: the versions stay, so runs in flight finish on theirs. */
  async delete(id: string): Promise<void> {
    await this.find(id);
    await this.db.transaction((m) => m.update(PlaybookEntity, { id }, { deletedAt: nowIso() }));
    this.enabledPlaybooks.clear();
  }

  /**
   * Turns alert-fired automation on or off: the one way it is turned on, by an author or admin,
   * recorded on the playbook (and audited by the caller).
   */
  async setAutomation(
    id: string,
    change: { enabled: boolean; by: string; reason: string | null },
  ): Promise<AutomationView> {
    const row = await this.find(id);
    const at = nowIso();
    await this.db.transaction((m) =>
      m.update(
        PlaybookEntity,
        { id },
        { enabled: change.enabled, automationBy: change.by, automationAt: at, automationReason: change.reason },
      ),
    );
    this.enabledPlaybooks.clear();
    return automationView({
      ...row,
      enabled: change.enabled,
      automationBy: change.by,
      automationAt: at,
      automationReason: change.reason,
    });
  }

  /** Enabled playbooks with their current definitions (for alert triggers). */
  enabled(): Promise<{ row: PlaybookEntity; playbook: LoadedPlaybook }[]> {
    return this.enabledPlaybooks.get();
  }

  private async readEnabled(): Promise<{ row: PlaybookEntity; playbook: LoadedPlaybook }[]> {
    const rows = await this.db.reader.find(PlaybookEntity, { where: { deletedAt: IsNull(), enabled: true } });
    const out = [];
    for (const row of rows) {
      const playbook = await this.version(row.id, row.currentVersion).catch(() => null);
      if (playbook) out.push({ row, playbook });
    }
    return out;
  }
}
