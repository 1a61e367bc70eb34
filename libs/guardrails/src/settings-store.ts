import { Injectable } from '@nestjs/common';
import { Database, nowIso, SettingEntity } from '@riposte/persistence';

const TTL_MS = 2_000;

/** Key-value settings in the database, read through a short cache (other instances see changes within seconds). */
@Injectable()
export class SettingsStore {
  private readonly cache = new Map<string, { value: Record<string, unknown> | null; at: number }>();

  constructor(private readonly db: Database) {}

  async get<T extends Record<string, unknown>>(key: string): Promise<T | null> {
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.value as T | null;
    const row = await this.db.reader.findOne(SettingEntity, { where: { key } });
    this.cache.set(key, { value: row?.value ?? null, at: Date.now() });
    return (row?.value ?? null) as T | null;
  }

  async set(key: string, value: Record<string, unknown>, by: string | null): Promise<void> {
    await this.db.transaction((m) => m.save(SettingEntity, { key, value, updatedBy: by, updatedAt: nowIso() }));
    this.cache.set(key, { value, at: Date.now() });
  }
}
