import { Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Type, { type Static } from 'typebox';
import { automationView, PlaybookFiles, PlaybookRunsService, PlaybookStore } from '@riposte/engine';
import { RiposteError, ValidationError } from '@riposte/errors';
import { type PlaybookError, PLAYBOOK_SCHEMA, toMermaid } from '@riposte/playbooks';
import { Slug } from '@riposte/schema';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, Idempotent, Public, RequireRole } from '../http/route-metadata.js';
import { SchemaBody } from '../http/schema-params.js';

const StartRunSchema = Type.Object(
  {
    inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    connectionTarget: Type.Optional(Slug()),
    dryRun: Type.Optional(
      Type.Boolean({ description: 'Evaluate conditions and plan every action with its exact request; send nothing.' }),
    ),
    reason: Type.Optional(
      Type.String({ maxLength: 1000, description: 'Why: kept with the run and in the audit trail.' }),
    ),
  },
  { additionalProperties: false },
);

const AutomationSchema = Type.Object(
  {
    enabled: Type.Boolean({
      description:
        'true: alerts matching the triggers start runs on their own; false: the playbook runs only when started by hand.',
    }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why, for the audit trail and the playbook.' })),
  },
  { additionalProperties: false },
);

/** The same size bound as a playbook upload (both are checked in the playbook worker thread). */
const REHEARSE_TEXT = 256 * 1024;
const RehearseSchema = Type.Object(
  {
    playbook: Type.String({ minLength: 1, maxLength: REHEARSE_TEXT, description: 'The playbook, as YAML text.' }),
    rehearsal: Type.String({
      minLength: 1,
      maxLength: REHEARSE_TEXT,
      description: 'A rehearsal file (`playbook:` and `cases:`, as in playbooks/tests/*.rehearsal.yaml), as YAML text.',
    }),
  },
  { additionalProperties: false },
);

const YAML_BODY = {
  description: 'The playbook as YAML (Content-Type: application/yaml).',
  content: { 'application/yaml': { schema: { type: 'string' } } },
};

@ApiTags('playbooks')
@Controller('api/v1')
export class PlaybooksController {
  constructor(
    private readonly store: PlaybookStore,
    private readonly files: PlaybookFiles,
    private readonly runs: PlaybookRunsService,
  ) {}

  /** The JSON Schema of the playbook format, for editors (open, like the format itself). */
  @Get('schema/playbook.json')
  @Public()
  @Header('Content-Type', 'application/schema+json')
  schema() {
    return PLAYBOOK_SCHEMA;
  }

  @Get('playbooks')
  @RequireRole('viewer')
  async list() {
    return { items: await this.store.list(), nextCursor: null, files: this.files.statuses() };
  }

  @Post('playbooks/validate')
  @HttpCode(200)
  @RequireRole('author')
  @ApiConsumes('application/yaml')
  @ApiBody(YAML_BODY)
  async validate(@Req() request: RiposteRequest) {
    const result = await this.store.check(yamlText(request), 'playbook.yaml');
    return result.ok
      ? { valid: true, id: result.playbook.definition.id, sha256: result.playbook.sha256, errors: [] }
      : { valid: false, errors: result.errors.map(toFieldError) };
  }

  /**
   * Rehearses a playbook that need not be saved against rehearsal cases: scripted action results,
   * no Azure, nothing stored (as `npm run playbooks -- test` does with files).
   */
  @Post('playbooks/rehearse')
  @HttpCode(200)
  @RequireRole('author')
  async rehearse(@SchemaBody(RehearseSchema) body: Static<typeof RehearseSchema>) {
    const result = await this.store.rehearse(body.playbook, body.rehearsal);
    if (result.stage === 'playbook')
      throw new RiposteError(
        'unprocessable',
        `The playbook has ${result.errors.length} error(s).`,
        'invalid_playbook',
        result.errors.map(toFieldError),
      );
    if (result.stage === 'rehearsal')
      throw new ValidationError(
        `The rehearsal has ${result.errors.length} error(s): ${result.errors.join('; ')}.`,
        result.errors.map((text) => {
          const at = /^(\d+):(\d+): (.*)$/s.exec(text);
          return at
            ? { path: '/rehearsal', message: at[3]!, line: Number(at[1]), column: Number(at[2]) }
            : { path: '/rehearsal', message: text };
        }),
      );
    if (result.stage === 'mismatch')
      throw new ValidationError(`The rehearsal is for playbook '${result.rehearsalFor}', not '${result.playbook}'.`, [
        { path: '/rehearsal', message: `its playbook must be '${result.playbook}'` },
      ]);
    const { playbook: id, cases } = result;
    const passed = cases.filter((c) => c.passed).length;
    return { playbook: id, passed, failed: cases.length - passed, cases };
  }

  @Put('playbooks/:id')
  @RequireRole('author')
  @Audited('playbook.upload')
  @ApiConsumes('application/yaml')
  @ApiBody(YAML_BODY)
  async upload(
    @Param('id') id: string,
    @Req() request: RiposteRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.store.check(yamlText(request), `${id}.yaml`);
    if (!result.ok)
      throw new RiposteError(
        'unprocessable',
        `The playbook has ${result.errors.length} error(s).`,
        'invalid_playbook',
        result.errors.map(toFieldError),
      );
    if (result.playbook.definition.id !== id) {
      throw new RiposteError(
        'unprocessable',
        `The playbook's id is '${result.playbook.definition.id}' but it was sent to /playbooks/${id}.`,
        'invalid_playbook',
        [{ path: '/id', message: `must be '${id}'` }],
      );
    }
    const saved = await this.store.save(result.playbook, { source: 'api', by: request.principal?.name ?? null });
    void reply.status(saved.created ? 201 : 200);
    return { id: saved.id, version: saved.version, sha256: saved.sha256, changed: saved.changed };
  }

  @Get('playbooks/:id')
  @RequireRole('viewer')
  @ApiQuery({
    name: 'version',
    required: false,
    schema: { type: 'integer', minimum: 1 },
    description: 'An older version; the current one when absent.',
  })
  async get(@Param('id') id: string, @Query('version') version?: string) {
    const row = await this.store.find(id);
    const number = version === undefined ? row.currentVersion : Number(version);
    if (!Number.isInteger(number) || number < 1)
      throw new ValidationError('version must be a positive integer.', [
        { path: 'version', message: 'must be a positive integer' },
      ]);
    const playbook = await this.store.version(id, number);
    const { definition } = playbook;
    return {
      id,
      name: definition.name,
      description: definition.description ?? null,
      enabled: row.enabled,
      automation: automationView(row),
      version: number,
      currentVersion: row.currentVersion,
      sha256: playbook.sha256,
      source: row.source,
      file: row.file,
      connection: definition.connection ?? null,
      inputs: definition.inputs,
      triggers: definition.triggers,
      outputs: Object.keys(definition.outputs),
      steps: playbook.steps,
      versions: await this.store.versions(id),
      yaml: playbook.source,
    };
  }

  @Get('playbooks/:id/graph')
  @RequireRole('viewer')
  @Header('Content-Type', 'text/vnd.mermaid; charset=utf-8')
  async graph(@Param('id') id: string) {
    return toMermaid((await this.store.current(id)).playbook.compiled);
  }

  @Delete('playbooks/:id')
  @HttpCode(204)
  @RequireRole('author')
  @Audited('playbook.delete')
  async delete(@Param('id') id: string): Promise<void> {
    await this.store.delete(id);
  }

  /** Alert-fired automation is off until an author or admin turns it on here, on the record. */
  @Put('playbooks/:id/automation')
  @RequireRole('author')
  @Audited('playbook.automation')
  async automation(
    @Param('id') id: string,
    @SchemaBody(AutomationSchema) body: Static<typeof AutomationSchema>,
    @Req() request: RiposteRequest,
  ) {
    const automation = await this.store.setAutomation(id, {
      enabled: body.enabled,
      by: request.principal!.name,
      reason: body.reason ?? null,
    });
    return { id, automation };
  }

  @Post('playbooks/:id/runs')
  @HttpCode(202)
  @RequireRole('analyst')
  @Idempotent()
  @Audited('playbook.run')
  start(
    @Param('id') id: string,
    @SchemaBody(StartRunSchema) body: Static<typeof StartRunSchema>,
    @Req() request: RiposteRequest,
  ) {
    return this.runs.start(id, body, { type: 'api', principal: request.principal! });
  }
}

/** A playbook may come as YAML text, or as JSON (which is YAML too): the loader wants the text. */
function yamlText(request: RiposteRequest): string {
  if (typeof request.body === 'string') return request.body;
  if (request.rawBody) return request.rawBody.toString('utf8');
  throw new ValidationError('Send the playbook as the request body, with Content-Type: application/yaml.', [
    { path: '', message: 'is empty' },
  ]);
}

function toFieldError(error: PlaybookError) {
  return { path: error.pointer, message: error.message, line: error.line, column: error.column, file: error.file };
}
