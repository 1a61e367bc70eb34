import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics. One registry per application instance, so tests can boot several. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly secretExpiries = new Map<string, number>();

  readonly runs = new Counter({
    name: 'riposte_runs_total',
    help: 'Runs that ended, by kind and final status.',
    labelNames: ['kind', 'status'],
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: 'riposte_actions_total',
    help: 'Actions executed, by action id and result.',
    labelNames: ['action', 'result'],
    registers: [this.registry],
  });
  readonly azureRequests = new Counter({
    name: 'riposte_azure_requests_total',
    help: 'HTTP calls to Azure APIs, by service, method and status (or error).',
    labelNames: ['service', 'method', 'status'],
    registers: [this.registry],
  });
  readonly azureLatency = new Histogram({
    name: 'riposte_azure_request_duration_seconds',
    help: 'Duration of HTTP calls to Azure APIs.',
    labelNames: ['service'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly alerts = new Counter({
    name: 'riposte_alerts_total',
    help: 'Alerts received, by source (webhook, poll) and result (new, update, duplicate).',
    labelNames: ['source', 'result'],
    registers: [this.registry],
  });
  readonly polls = new Counter({
    name: 'riposte_connector_polls_total',
    help: 'Polls of Graph security feeds, by feed and status.',
    labelNames: ['feed', 'status'],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'riposte_auth_failures_total',
    help: 'Requests refused for their credentials (never the key), by reason: unknown_key, expired_key, bad_token, bad_signature, missing, slowed_down.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly tokenRequests = new Counter({
    name: 'riposte_token_requests_total',
    help: 'Token requests sent to Entra ID (cache misses), by resource and result.',
    labelNames: ['resource', 'result'],
    registers: [this.registry],
  });

  constructor() {
    const expiries = this.secretExpiries;
    new Gauge({
      name: 'riposte_connection_target_secret_expiry_seconds',
      help: 'Seconds until the connection target credential expires (negative once expired).',
      labelNames: ['connection_target'],
      registers: [this.registry],
      collect() {
        this.reset();
        const now = Date.now();
        for (const [target, at] of expiries) this.set({ connection_target: target }, Math.round((at - now) / 1000));
      },
    });
  }

  setSecretExpiry(target: string, expiresAt: string | null): void {
    if (expiresAt) this.secretExpiries.set(target, Date.parse(expiresAt));
    else this.secretExpiries.delete(target);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
