import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from '../support/service.js';

const TYPES = fileURLToPath(new URL('../../apps/console/src/api/schema.d.ts', import.meta.url));
const HEADER = '// Generated from GET /openapi.json by `npm run console:api`: do not edit.\n\n';

// The console's client is typed from the service's own OpenAPI document; this keeps the two in step.
describe('OpenAPI document and the console client', () => {
  let service: TestService;
  let document: any;
  beforeAll(async () => {
    service = await startService({
      RIPOSTE_PLAYBOOKS_DIR: fileURLToPath(new URL('../../playbooks/', import.meta.url)),
    });
    document = (await service.request('GET', '/openapi.json')).body;
  });
  afterAll(() => service?.close());

  it('describes the answer and the errors of every route', () => {
    expect(Object.keys(document.components.schemas).length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const [path, item] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const codes = Object.keys(operation.responses ?? {});
        if (!codes.some((c) => c.startsWith('2')) || !codes.includes('4XX'))
          missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(document.paths['/api/v1/runs'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RunPage',
    });
    expect(document.paths['/api/v1/events'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
  });

  it('what the service answers matches what the document says', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ $id: 'riposte', components: document.components });
    const routes = [
      '/api/v1/me',
      '/api/v1/runs',
      '/api/v1/alerts',
      '/api/v1/playbooks',
      '/api/v1/playbooks/compromised-account',
      '/api/v1/connection-targets',
      '/api/v1/connectors',
      '/api/v1/actions',
      '/api/v1/guardrails',
      '/api/v1/automation',
      '/api/v1/api-keys',
      '/api/v1/audit',
      '/api/v1/changes',
      '/api/v1/approvals/history',
      '/api/v1/audit/verify',
      '/api/v1/notification-channels',
      '/api/v1/export/sinks',
      '/health',
    ];
    for (const path of routes) {
      const answer = await service.request('GET', path);
      expect(answer.status, path).toBe(200);
      const template = document.paths[path] ? path : '/api/v1/playbooks/{id}';
      const schema = document.paths[template].get.responses['200'].content['application/json'].schema;
      const validate = ajv.compile(
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"riposte#/components/')),
      );
      expect(validate(answer.body) ? [] : validate.errors, path).toEqual([]);
    }
    // Answers of writes, and lists that now hold an item, checked the same way.
    const writes: [string, string, unknown, string][] = [
      [
        'POST',
        '/api/v1/notification-channels',
        { name: 'openapi-hook', kind: 'webhook', url: 'https://127.0.0.1:9/hook' },
        'NotificationChannel',
      ],
      [
        'POST',
        '/api/v1/export/sinks',
        { name: 'openapi-syslog', type: 'syslog', enabled: false, settings: { host: '127.0.0.1', port: 9 } },
        'ExportSink',
      ],
    ];
    for (const [method, path, body, name] of writes) {
      const answer = await service.request(method, path, { body });
      expect(answer.status, answer.text).toBe(201);
      expect(ajv.validate(`riposte#/components/schemas/${name}`, answer.body), JSON.stringify(ajv.errors)).toBe(true);
      const list = await service.request('GET', path);
      expect(list.body.items).toHaveLength(1);
      expect(ajv.validate(`riposte#/components/schemas/${name}Page`, list.body), JSON.stringify(ajv.errors)).toBe(true);
    }

    const automation = await service.request('PUT', '/api/v1/playbooks/compromised-account/automation', {
      body: { enabled: false, reason: 'openapi check' },
    });
    expect(automation.status, automation.text).toBe(200);
    expect(
      ajv.validate('riposte#/components/schemas/PlaybookAutomation', automation.body),
      JSON.stringify(ajv.errors),
    ).toBe(true);
    const missing = await service.request('GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000');
    expect(ajv.validate('riposte#/components/schemas/Problem', missing.body), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('the committed client types are the ones the service serves (npm run console:api regenerates them)', async () => {
    const generated = HEADER + astToString(await openapiTS(document, { alphabetize: true }));
    if (process.env.RIPOSTE_WRITE_API_TYPES === '1') writeFileSync(TYPES, generated);
    let committed = '';
    try {
      committed = readFileSync(TYPES, 'utf8');
    } catch {
      // reported by the assertion
    }
    expect(committed, 'apps/console/src/api/schema.d.ts is out of date: run npm run console:api').toBe(generated);
  });
});
