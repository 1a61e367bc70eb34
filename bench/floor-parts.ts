import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import axios from 'axios';
import sqlite3 from 'sqlite3';
import { assign, createActor, fromPromise, setup } from 'xstate';

/*
 * The fixed parts of a run, alone, in a process of their own so that its CPU is theirs (see
 * scenarios/floor.ts):
 *
 *   node dist/bench/floor-parts.js sqlite RUNS STATEMENTS   µs of process CPU per statement
 *   node dist/bench/floor-parts.js https URL CALLS          µs of process CPU per HTTPS call
 *   node dist/bench/floor-parts.js http                     a bare NestJS app on fastify; prints its port
 *   node dist/bench/floor-parts.js xstate RUNS STEPS        µs of process CPU per step of an XState machine
 *
 * Each prints one JSON line. Nothing of Riposte runs here: these are lower bounds of what the
 * design card's parts (sqlite3, axios over TLS, NestJS on fastify) cost for one run's work.
 */
const [part, ...args] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
/** `n` runs of `one`, 32 at a time. */
const inParallel = async (n: number, one: () => Promise<unknown>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < n) await one();
    }),
  );
};
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * `runs` runs of `statements` autocommitted statements each, 32 runs at a time (each run's
 * statements one after the other, as the engine sends them), on a WAL database with the
 * service's settings: a row of 4 KB inserted, then updates carrying 2 KB, small inserts and
 * reads by key, in the proportions of a four-step run.
 */
async function sqlite(runs: number, statements: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-floor-'));
  const db = new sqlite3.Database(join(dir, 'floor.sqlite'));
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
  await exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE runs (id TEXT PRIMARY KEY, status TEXT, input TEXT, journal TEXT, version INTEGER);
    CREATE TABLE effects (id TEXT PRIMARY KEY, "runId" TEXT, status TEXT, detail TEXT);
    CREATE INDEX effects_run ON effects ("runId");`);
  const insertRun = db.prepare('INSERT INTO runs (id, status, input, version) VALUES (?, ?, ?, 0)');
  const updateRun = db.prepare('UPDATE runs SET journal = ?, version = version + 1 WHERE id = ?');
  const insertEffect = db.prepare('INSERT INTO effects (id, "runId", status, detail) VALUES (?, ?, ?, ?)');
  const read = db.prepare('SELECT id, status, version FROM runs WHERE id = ?');
  const call = (statement: sqlite3.Statement, method: 'run' | 'all', params: unknown[]) =>
    new Promise<void>((resolve, reject) =>
      statement[method](...params, (e: Error | null) => (e ? reject(e) : resolve())),
    );
  const input = 'x'.repeat(4096);
  const journal = 'j'.repeat(2048);
  // A run's statements: one insert of 4 KB, then updates (2 KB), small inserts and reads in turn.
  const kinds = ['update', 'insert', 'update', 'read', 'insert', 'update', 'insert', 'update'] as const;
  const oneRun = async () => {
    const id = randomUUID();
    await call(insertRun, 'run', [id, 'queued', input]);
    for (let i = 1; i < statements; i++) {
      const kind = kinds[i % kinds.length];
      if (kind === 'update') await call(updateRun, 'run', [journal, id]);
      else if (kind === 'insert') await call(insertEffect, 'run', [randomUUID(), id, 'intended', '{"n":1}']);
      else await call(read, 'all', [id]);
    }
  };
  const batch = (n: number) => inParallel(n, oneRun);
  await batch(200); // warm-up
  const before = cpuUs();
  await batch(runs);
  const used = cpuUs() - before;
  await new Promise((resolve) => db.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  print({ usPerStatement: used / (runs * statements) });
}

/** `calls` HTTPS requests with axios configured as the service's Azure client, 32 at a time. */
async function https(url: string, calls: number): Promise<void> {
  // The service's settings (AzureHttp): no redirects followed (axios then skips follow-redirects), no proxy.
  const client = axios.create({
    baseURL: url,
    httpsAgent: new Agent({ keepAlive: true, maxSockets: 256 }),
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    timeout: 10_000,
  });
  const call = () =>
    client.patch(
      '/graph/v1.0/users/floor@contoso.com',
      { accountEnabled: false },
      {
        headers: { Authorization: 'Bearer floor' },
      },
    );
  const batch = (n: number) => inParallel(n, call);
  await batch(300); // warm-up: connections and TLS sessions made
  const before = cpuUs();
  await batch(calls);
  print({ usPerCall: (cpuUs() - before) / calls });
}

@Controller('api/v1')
class FloorController {
  @Post('alerts')
  @HttpCode(202)
  ingest(@Body() body: Record<string, unknown>): { id: string; runs: string[] } {
    return { id: typeof body.id === 'string' ? body.id : randomUUID(), runs: [randomUUID()] };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function http(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    FloorModule,
    new FastifyAdapter({ bodyLimit: 1 << 20 }),
    {
      logger: false,
    },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  print({ port: address.port });
}

/**
 * A step as XState runs it, with nothing of Riposte: `runs` actors of a machine of `steps` states,
 * each invoking a promise actor and going on when it resolves (its output assigned to the
 * context), the persisted snapshot taken and serialized after each transition (what a durable
 * journal needs); 32 actors at a time.
 */
async function xstate(runs: number, steps: number): Promise<void> {
  const states: Record<string, object> = {};
  for (let i = 0; i < steps; i++)
    states[`s${i}`] = {
      invoke: {
        src: 'step',
        input: { step: i },
        onDone: {
          target: i + 1 < steps ? `s${i + 1}` : 'done',
          actions: assign({ outputs: ({ context, event }) => ({ ...context.outputs, [`s${i}`]: event.output }) }),
        },
      },
    };
  states.done = { type: 'final' };
  const machine = setup({
    types: { context: {} as { outputs: Record<string, unknown> } },
    actors: { step: fromPromise(async ({ input }: { input: { step: number } }) => ({ ok: input.step })) },
  }).createMachine({ id: 'floor', initial: 's0', context: { outputs: {} }, states } as never);
  let written = 0;
  const oneRun = () =>
    new Promise<void>((resolve) => {
      const actor = createActor(machine);
      actor.subscribe((snapshot) => {
        written += JSON.stringify(actor.getPersistedSnapshot()).length;
        if (snapshot.status === 'done') resolve();
      });
      actor.start();
    });
  const batch = (n: number) => inParallel(n, oneRun);
  await batch(200); // warm-up
  const before = cpuUs();
  await batch(runs);
  print({ usPerStep: (cpuUs() - before) / (runs * steps), snapshotBytes: written });
}

if (part === 'sqlite') await sqlite(Number(args[0] ?? 3000), Number(args[1] ?? 12));
else if (part === 'https') await https(args[0] ?? '', Number(args[1] ?? 3000));
else if (part === 'http') await http();
else if (part === 'xstate') await xstate(Number(args[0] ?? 2000), Number(args[1] ?? 10));
else throw new Error('usage: floor-parts.js sqlite RUNS STATEMENTS | https URL CALLS | http | xstate RUNS STEPS');
