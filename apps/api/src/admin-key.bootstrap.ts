import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeysService } from '@riposte/auth';
import { AppConfig } from '@riposte/config';

/**
 * A fresh installation needs one admin key to do anything. It is taken from RIPOSTE_ADMIN_KEY
 * (created at bootstrap), or generated once the service is listening (`createFirstAdmin`, called
 * by main): a start that fails before then never shows a key that would then be lost.
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminKeyBootstrap.name);

  constructor(
    private readonly keys: ApiKeysService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.adminKey) return;
    if (!(await this.keys.findByKey(this.config.adminKey))) {
      await this.keys.create(
        { name: 'admin (RIPOSTE_ADMIN_KEY)', role: 'admin', key: this.config.adminKey },
        'riposte',
      );
      this.logger.log('Created the admin API key given in RIPOSTE_ADMIN_KEY.');
    }
  }

  /** Generates the first admin key if there is none, and returns it (to be printed once, on stdout, outside the logs). */
  async createFirstAdmin(): Promise<string | null> {
    if (this.config.adminKey || (await this.keys.hasActiveAdmin())) return null;
    const created = await this.keys.create({ name: 'first admin', role: 'admin' }, 'riposte');
    this.logger.warn(
      'No admin API key existed: created one and printed it once on stdout. Store it now; it is kept only as a hash.',
    );
    return created.key;
  }
}
