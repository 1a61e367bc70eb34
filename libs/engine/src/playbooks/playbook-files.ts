import { createHash } from 'node:crypto';
import { existsSync, type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@riposte/config';
import { formatErrors, type LoadResult, type PlaybookError } from '@riposte/playbooks';
import { PlaybookStore } from './playbook-store.js';

export interface PlaybookFileStatus {
  file: string;
  ok: boolean;
  playbookId: string | null;
  version: number | null;
  errors: PlaybookError[];
  checkedAt: string;
}

const DEBOUNCE_MS = 200;

/**
 * The playbooks folder: every *.yaml / *.yml file is loaded at start and again whenever the
 * folder changes. A file that fails to load leaves the last good version running; why it
 * failed is logged and shown by GET /api/v1/playbooks.
 */
@Injectable()
export class PlaybookFiles implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PlaybookFiles.name);
  private readonly status = new Map<string, PlaybookFileStatus & { hash: string }>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly store: PlaybookStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const dir = this.config.playbooksDir;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      this.logger.log(`No playbooks folder at ${dir}; playbooks can still be uploaded through the API.`);
      return;
    }
    await this.reload();
    this.watcher = watch(dir, () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload(), DEBOUNCE_MS);
    });
    this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'stopped watching the playbooks folder'));
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  statuses(): PlaybookFileStatus[] {
    return [...this.status.values()].map(({ hash: _hash, ...s }) => s).sort((a, b) => a.file.localeCompare(b.file));
  }

  /** Loads the folder again (serialized: a burst of file events makes one pass at a time). */
  reload(): Promise<void> {
    this.loading = this.loading
      .then(() => this.loadFolder())
      .catch((error: unknown) => this.logger.error({ err: error }, 'loading the playbooks folder failed'));
    return this.loading;
  }

  /**
   * At start, before the service listens, on this thread (no worker to start); an edit while it
   * runs in the worker thread, as an upload is, so a large file never holds the event loop.
   */
  private async check(text: string, file: string): Promise<LoadResult> {
    if (!this.watcher) return this.store.load(text, file);
    try {
      return await this.store.check(text, file);
    } catch (error) {
      // The checker was busy or stopped: the file counts as not loaded, and its next edit tries again.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, errors: [{ file, line: 1, column: 1, pointer: '', message }] };
    }
  }

  /** Checks a stored version once the service is up (it also leaves it compiled for the first run). */
  private async recheck(file: string, playbookId: string, version: number, hash: string): Promise<void> {
    try {
      await this.store.version(playbookId, version);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Playbook file ${file} does not load: ${message}`);
      if (this.status.get(file)?.hash === hash)
        this.status.set(file, {
          file,
          ok: false,
          playbookId,
          version,
          errors: [{ file, line: 1, column: 1, pointer: '', message }],
          checkedAt: new Date().toISOString(),
          hash,
        });
    }
  }

  private async loadFolder(): Promise<void> {
    const dir = this.config.playbooksDir;
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    for (const gone of [...this.status.keys()].filter((f) => !files.includes(f))) this.status.delete(gone);
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(dir, file), 'utf8');
      } catch {
        continue; // removed between listing and reading
      }
      const hash = createHash('sha256').update(text).digest('hex');
      if (this.status.get(file)?.hash === hash) continue;
      const checkedAt = new Date().toISOString();
      // At start, a file unchanged since it was stored is not checked before the service listens
      // (that held the start by a schema compile and a parse per file): it is checked right after.
      const unchanged = this.status.has(file) ? null : await this.store.unchangedFile(file, hash);
      if (unchanged) {
        this.status.set(file, {
          file,
          ok: true,
          playbookId: unchanged.id,
          version: unchanged.version,
          errors: [],
          checkedAt,
          hash,
        });
        setImmediate(() => void this.recheck(file, unchanged.id, unchanged.version, hash));
        continue;
      }
      const result = await this.check(text, file);
      if (!result.ok) {
        const previous = this.status.get(file);
        this.logger.warn(
          `Playbook file ${file} does not load; ${previous?.playbookId ? `version ${previous.version} of ${previous.playbookId} stays in use` : 'nothing was loaded from it'}:\n${formatErrors(result.errors)}`,
        );
        this.status.set(file, {
          file,
          ok: false,
          playbookId: previous?.playbookId ?? null,
          version: previous?.version ?? null,
          errors: result.errors,
          checkedAt,
          hash,
        });
        continue;
      }
      const saved = await this.store.save(result.playbook, { source: 'file', file });
      if (saved.changed) this.logger.log(`Loaded playbook ${saved.id} version ${saved.version} from ${file}.`);
      this.status.set(file, {
        file,
        ok: true,
        playbookId: saved.id,
        version: saved.version,
        errors: [],
        checkedAt,
        hash,
      });
    }
  }
}
