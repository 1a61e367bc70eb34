import type { CompiledPlaybook } from '../compiler/compile.js';
import type { StateConfig } from '../compiler/machine-config.js';

/*
 * The compiled machine as a Mermaid state diagram: one state per step (compound for parallel,
 * branch and approval steps), transitions labelled by what causes them. Paste it into any
 * Mermaid renderer, or let GitHub render it.
 */
export function toMermaid(compiled: CompiledPlaybook): string {
  const lines = ['stateDiagram-v2', `  %% ${compiled.definition.id}: ${compiled.definition.name.replace(/\n/g, ' ')}`];
  const ids = new Map<string, string>();
  const name = (path: string) => {
    if (!ids.has(path)) ids.set(path, `s${ids.size}`);
    return ids.get(path) as string;
  };
  const byXStateId = new Map<string, string>();

  // First pass: every state's diagram name, so '#step.x' targets can be resolved.
  const index = (node: StateConfig, path: string) => {
    if (typeof node.id === 'string') byXStateId.set(node.id, path);
    for (const [key, child] of Object.entries((node.states ?? {}) as Record<string, StateConfig>))
      index(child, `${path}.${key}`);
  };
  index(compiled.config, 'run');

  const resolve = (target: string, parent: string): string => {
    if (target.startsWith('#')) return name(byXStateId.get(target.slice(1)) ?? target.slice(1));
    return name(`${parent}.${target}`);
  };

  const emit = (node: StateConfig, path: string, depth: number) => {
    const pad = '  '.repeat(depth);
    const states = (node.states ?? {}) as Record<string, StateConfig>;
    for (const [key, child] of Object.entries(states)) {
      const childPath = `${path}.${key}`;
      const label = labelOf(key, child);
      if (child.type === 'final') {
        lines.push(`${pad}${name(childPath)} : ${label}`);
        lines.push(`${pad}${name(childPath)} --> [*]`);
        continue;
      }
      if (child.states) {
        lines.push(`${pad}state "${label}" as ${name(childPath)} {`);
        if (child.type === 'parallel') {
          Object.keys(child.states as object).forEach((region, i) => {
            if (i > 0) lines.push(`${pad}  --`);
            const regionNode = (child.states as Record<string, StateConfig>)[region] as StateConfig;
            lines.push(`${pad}  [*] --> ${name(`${childPath}.${region}.${String(regionNode.initial)}`)}`);
            emit(regionNode, `${childPath}.${region}`, depth + 1);
          });
        } else {
          lines.push(`${pad}  [*] --> ${name(`${childPath}.${String(child.initial)}`)}`);
          emit(child, childPath, depth + 1);
        }
        lines.push(`${pad}}`);
      } else {
        lines.push(`${pad}${name(childPath)} : ${label}`);
      }
      for (const [event, t] of transitions(child)) {
        const targets = Array.isArray(t) ? t : [t];
        for (const transition of targets as StateConfig[]) {
          const to = typeof transition === 'string' ? transition : (transition.target as string | undefined);
          if (to) lines.push(`${pad}${name(childPath)} --> ${resolve(to, path)} : ${event}`);
        }
      }
    }
  };
  lines.push(`  [*] --> ${name(`run.${String(compiled.config.initial)}`)}`);
  emit(compiled.config, 'run', 1);
  return `${lines.join('\n')}\n`;
}

function labelOf(key: string, node: StateConfig): string {
  const invoke = node.invoke as { src?: string } | undefined;
  if (typeof node.id === 'string' && node.id.startsWith('step-')) return node.id.slice(5);
  if (invoke?.src && !['evaluate', 'prepare'].includes(invoke.src)) return `${key} (${invoke.src})`;
  return key;
}

function transitions(node: StateConfig): [string, unknown][] {
  const out: [string, unknown][] = [];
  const invoke = node.invoke as { onDone?: unknown; onError?: unknown } | undefined;
  if (invoke?.onDone) out.push(['done', invoke.onDone]);
  if (invoke?.onError) out.push(['error', invoke.onError]);
  if (node.onDone) out.push(['done', node.onDone]);
  for (const [event, t] of Object.entries((node.on ?? {}) as Record<string, unknown>))
    out.push([event.replace('riposte.', ''), t]);
  return out;
}
