import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { Metrics } from '@riposte/observability';
import { Public, PublicIf, RequireRole } from '../http/route-metadata.js';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly targets: ConnectionTargetsService,
    private readonly metrics: Metrics,
  ) {}

  /** Liveness and readiness: the database answers; credentials about to expire make it "degraded". */
  @Get('health')
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const session = this.indicators.check('credentials');
        const expiring = await this.targets.expiringCredentials();
        if (expiring.length === 0) return session.up();
        return session.degraded({
          message: `${expiring.length} connection target credential(s) expire soon or have expired: renew them in the app registration and PATCH the target.`,
          expiring,
        });
      },
    ]);
  }

  @Get('metrics')
  @RequireRole('viewer')
  @PublicIf('metricsPublic')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiExcludeEndpoint()
  metricsText(): Promise<string> {
    return this.metrics.render();
  }
}
