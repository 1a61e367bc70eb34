import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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
    service = await startService();
    document = (await service.request('GET', '/openapi.json')).body;
  });
  afterAll(() => service?.close());

  it('describes the answer and the errors of every route', () => {
    expect(Object.keys(document.components.schemas).length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const [path, item] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const codes = Object.keys(operation.responses ?? {});
        if (!codes.some((c) => c.startsWith('2')) || !codes.includes('4XX')) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(document.paths['/api/v1/runs'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/RunPage' });
    expect(document.paths['/api/v1/events'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
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
