import { useMantineColorScheme } from '@mantine/core';
import mermaid from 'mermaid';
import { useEffect, useId, useRef, useState } from 'react';

const FILL: Record<string, string> = {
  succeeded: '#2f9e44',
  failed: '#e03131',
  running: '#1971c2',
  waiting: '#f08c00',
  skipped: '#868e96',
  cancelled: '#495057',
  planned: '#0c8599',
};

/** Colours each step's state by its status: mermaid labels step states with the step id. */
export function colourSteps(source: string, statuses: Record<string, string>): string {
  const classes: string[] = [];
  for (const line of source.split('\n')) {
    const match = /^\s*(s\d+) : (.+)$/.exec(line);
    const status = match ? statuses[match[2]!.trim()] : undefined;
    if (match && status && FILL[status]) classes.push(`  class ${match[1]} ${status}`);
  }
  const defs = Object.entries(FILL).map(([status, fill]) => `  classDef ${status} fill:${fill},color:#fff`);
  return `${source.trimEnd()}\n${defs.join('\n')}\n${classes.join('\n')}\n`;
}

/** A playbook's compiled machine, drawn by Mermaid in strict mode (no HTML labels, no scripts). */
export default function Graph({ source, statuses = {} }: { source: string; statuses?: Record<string, string> }) {
  const { colorScheme } = useMantineColorScheme();
  const id = useId().replace(/[^a-zA-Z0-9]/g, '');
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: colorScheme === 'dark' ? 'dark' : 'default',
    });
    mermaid
      .render(`graph${id}`, colourSteps(source, statuses))
      .then(({ svg }) => {
        if (current && box.current) {
          box.current.innerHTML = svg;
          setError(null);
        }
      })
      .catch((e: unknown) => current && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      current = false;
    };
  }, [source, statuses, colorScheme, id]);
  return (
    <figure style={{ margin: 0 }}>
      <div ref={box} role="img" aria-label="Playbook graph" data-testid="playbook-graph" style={{ overflow: 'auto' }} />
      {error && <figcaption>The graph could not be drawn: {error}</figcaption>}
    </figure>
  );
}
