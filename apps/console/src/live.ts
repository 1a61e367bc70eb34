import { useEffect, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { bearer } from './api/client';

export type LiveState = 'connecting' | 'live' | 'offline';

/** Which cached lists each event makes stale. */
function invalidate(client: QueryClient, type: string, data: { runId?: string }): void {
  if (type === 'run' || type === 'step' || type === 'approval') {
    void client.invalidateQueries({ queryKey: ['runs'] });
    void client.invalidateQueries({ queryKey: ['approvals'] });
    void client.invalidateQueries({ queryKey: ['overview'] });
    void client.invalidateQueries({ queryKey: ['changes'] });
    if (data.runId) void client.invalidateQueries({ queryKey: ['run', data.runId] });
    if (type === 'run') void client.invalidateQueries({ queryKey: ['alerts'] });
  }
  if (type === 'connector') {
    void client.invalidateQueries({ queryKey: ['connectors'] });
    void client.invalidateQueries({ queryKey: ['overview'] });
  }
}

/**
 * Follows GET /api/v1/events (server-sent events, read with fetch so the key or the sign-in token,
 * fresh at each reconnect, travels in the Authorization header) and marks what changed as stale.
 * While it is up, no screen polls; if it drops, it reconnects and everything is read again (events
 * are not replayed).
 */
export function useLiveUpdates(client: QueryClient, enabled: boolean): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = async () => {
      setState('connecting');
      try {
        const response = await fetch('/api/v1/events', {
          headers: { Authorization: `Bearer ${(await bearer()) ?? ''}`, Accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let type = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (!data) continue;
            if (type === 'ready') {
              setState('live');
              // Whatever happened while disconnected: read it again.
              void client.invalidateQueries();
              continue;
            }
            invalidate(client, type, JSON.parse(data) as { runId?: string });
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      setState('offline');
      retry = setTimeout(() => void connect(), 3000);
    };
    void connect();
    return () => {
      abort.abort();
      clearTimeout(retry);
    };
  }, [client, enabled]);
  return state;
}
