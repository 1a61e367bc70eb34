import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApiKeysService } from '@riposte/auth';
import { AppConfig } from '@riposte/config';

/**
 * A fresh installation needs one admin key to do anything. It is taken from RIPOSTE_ADMIN_KEY,
 * or generated and printed once, on stdout and outside the logs (which never carry keys).
 */
@Injectable()
export class AdminKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminKeyBootstrap.name);

  constructor(
    private readonly keys: ApiKeysService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminKey) {
      if (!(await this.keys.findByKey(this.config.adminKey))) {
        await this.keys.create({ name: 'admin (RIPOSTE_ADMIN_KEY)', role: 'admin', key: this.config.adminKey }, 'riposte');
        this.logger.log('Created the admin API key given in RIPOSTE_ADMIN_KEY.');
      }
      return;
    }
    if (await this.keys.hasActiveAdmin()) return;
    const created = await this.keys.create({ name: 'first admin', role: 'admin' }, 'riposte');
    this.logger.warn('No admin API key existed: created one and printed it once on stdout. Store it now; it is kept only as a hash.');
    process.stdout.write(`\n  Riposte admin API key (shown once): ${created.key}\n  Use it as: Authorization: Bearer <key>\n\n`);
  }
}
