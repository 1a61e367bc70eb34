import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/*
 * Where the CPU went, from a V8 .cpuprofile (`node --cpu-prof`): self time by package and by
 * function, time inclusive by package (a sample counts once for every package on its stack), and
 * the Riposte function nearest to the top of each stack (which of our code paths spend the time,
 * wherever in the libraries it is spent).
 *
 *   node dist/bench/cpuprofile-summary.js bench/results/profiles/throughput.cpuprofile [top]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  selfByPackage: Row[];
  inclusiveByPackage: Row[];
  selfByFunction: Row[];
  byRiposteCaller: Row[];
  withRiposteFramePct: number;
  /** Busy time with any package of the group on the stack. */
  byArea: Row[];
}

/** Areas of work, by the packages on the stack (a sample counts once per area; areas overlap). */
const AREAS: Record<string, (pkg: string) => boolean> = {
  'database (typeorm, sqlite3)': (p) => p === 'typeorm' || p === 'sqlite3',
  'Azure calls (axios, msal, node http/tls client)': (p) =>
    p === 'axios' ||
    p.startsWith('@azure/') ||
    p === 'node:_http_client' ||
    p === 'node:_http_agent' ||
    p === 'node:https' ||
    p === 'node:_tls_wrap',
  'HTTP API (fastify, @nestjs/*, pino-http, node http server)': (p) =>
    p === 'fastify' ||
    p.startsWith('@nestjs/') ||
    p.startsWith('@fastify/') ||
    p === 'node:_http_server' ||
    p === 'pino-http',
  'playbook runtime (xstate, jsonata, @riposte/playbooks)': (p) =>
    p === 'xstate' || p === 'jsonata' || p === '@riposte/playbooks',
  'logging (pino)': (p) => p === 'pino' || p === 'nestjs-pino' || p === 'sonic-boom' || p === 'thread-stream',
  'validation (ajv)': (p) => p === 'ajv' || p === '@riposte/schema',
  'garbage collector': (p) => p === '(garbage collector)',
  '(program): native code outside JS frames': (p) => p === '(program)',
};

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** The benchmark's statement counter wraps sqlite3's methods: transparent in stacks (its own self time is still shown). */
const PROBE = '(bench probe)';

/** `typeorm`, `@nestjs/core`, `@riposte/engine`, `node:internal`, `(garbage collector)`, … */
export function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName) && !frame.url) return frame.functionName;
  const url = frame.url;
  if (url.endsWith('/bench/service-probe.js')) return PROBE;
  if (!url) return '(v8 builtins / native)';
  if (url.startsWith('node:')) return url.startsWith('node:internal') ? 'node:internal' : (url.split('/')[0] ?? url);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const lib = /\/dist\/libs\/([^/]+)\//.exec(url);
  if (lib) return `@riposte/${lib[1]}`;
  const app = /\/dist\/apps\/([^/]+)\//.exec(url);
  if (app) return `apps/${app[1]}`;
  return url.replace(/^file:\/\//, '');
}

function isRiposte(pkg: string): boolean {
  return pkg.startsWith('@riposte/') || pkg.startsWith('apps/');
}

function describeFrame(frame: CallFrame, pkg: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.includes('/node_modules/')
    ? frame.url.slice(frame.url.lastIndexOf('/node_modules/') + 14)
    : frame.url.includes('/dist/')
      ? frame.url.slice(frame.url.indexOf('/dist/') + 6)
      : basename(frame.url);
  return `${name}  ${file}:${frame.lineNumber + 1}${isRiposte(pkg) || pkg.startsWith('node') ? '' : `  [${pkg}]`}`;
}

export function summarizeProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const pkgOf = new Map(profile.nodes.map((n) => [n.id, packageOf(n.callFrame)]));

  // Sample i lasted until sample i+1: timeDeltas[i+1] (µs). The last one gets the mean.
  const deltas = profile.timeDeltas;
  const mean = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const self = new Map<number, number>();
  const inclusivePkg = new Map<string, number>();
  const area = new Map<string, number>();
  const caller = new Map<string, number>();
  const stackCache = new Map<number, { pkgs: string[]; caller: string }>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = Math.max(0, deltas[i + 1] ?? mean);
    total += us;
    self.set(id, (self.get(id) ?? 0) + us);
    const node = byId.get(id);
    if (node && (node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(program)')) {
      if (node.callFrame.functionName === '(idle)') idle += us;
    }
    let stack = stackCache.get(id);
    if (!stack) {
      const pkgs = new Set<string>();
      let nearest: string | undefined;
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const pkg = pkgOf.get(cur) as string;
        if (pkg !== '(root)' && pkg !== PROBE) pkgs.add(pkg);
        if (!nearest && isRiposte(pkg)) nearest = describeFrame((byId.get(cur) as ProfileNode).callFrame, pkg);
      }
      stack = { pkgs: [...pkgs], caller: nearest ?? '' };
      stackCache.set(id, stack);
    }
    for (const pkg of stack.pkgs) inclusivePkg.set(pkg, (inclusivePkg.get(pkg) ?? 0) + us);
    for (const [name, test] of Object.entries(AREAS))
      if (stack.pkgs.some(test)) area.set(name, (area.get(name) ?? 0) + us);
    if (stack.caller) caller.set(stack.caller, (caller.get(stack.caller) ?? 0) + us);
  });
  const busy = total - idle;
  const rows = (m: Map<string, number>, skipIdle = true): Row[] =>
    [...m.entries()]
      .filter(([name]) => !skipIdle || (name !== '(idle)' && !name.includes('(idle)')))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        pct: Math.round((us / Math.max(1, busy)) * 1000) / 10,
      }));

  const selfPkg = new Map<string, number>();
  const selfFn = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode;
    const pkg = pkgOf.get(id) as string;
    selfPkg.set(pkg, (selfPkg.get(pkg) ?? 0) + us);
    const fn = describeFrame(node.callFrame, pkg);
    selfFn.set(fn, (selfFn.get(fn) ?? 0) + us);
  }
  return {
    file: path,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    selfByPackage: rows(selfPkg),
    inclusiveByPackage: rows(inclusivePkg),
    selfByFunction: rows(selfFn),
    byRiposteCaller: rows(caller),
    byArea: rows(area),
    withRiposteFramePct: Math.round(([...caller.values()].reduce((a, b) => a + b, 0) / Math.max(1, busy)) * 1000) / 10,
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const table = (title: string, rows: Row[]) =>
    [
      `  ${title}`,
      ...rows.map((r) => `    ${String(r.ms).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`),
    ].join('\n');
  return [
    `CPU profile ${summary.file}: ${summary.totalMs} ms sampled, ${summary.busyMs} ms busy (percentages are of busy time)`,
    table('by area (inclusive; areas overlap)', summary.byArea),
    table('self time by package', summary.selfByPackage),
    table('inclusive time by package (a sample counts for every package on its stack)', summary.inclusiveByPackage),
    table('self time by function', summary.selfByFunction),
    table(
      `by the nearest Riposte frame on the stack, libraries included (${summary.withRiposteFramePct}% of busy samples have one: the rest run in callbacks of I/O)`,
      summary.byRiposteCaller,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpuprofile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarizeProfile(file, Number(top ?? 15)))}\n`);
}
