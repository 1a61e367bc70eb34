import type { FakeRequest, Service } from './types.js';

/** One request the fake answered. Never carries headers or bodies, so no token or secret can leak into it. */
export interface RequestRecord {
  seq: number;
  at: string;
  service: Service;
  method: string;
  /** Decoded path including the service prefix (`/graph/v1.0/users/adele@contoso.com`). */
  path: string;
  query: Record<string, string>;
  /** The status sent; 0 when the connection was reset without an answer. */
  status: number;
  /** True for a request inside a Graph `$batch`. */
  batched: boolean;
  /** The fault that shaped the answer, if any. */
  fault?: string;
}

export interface RequestFilter {
  service?: Service;
  method?: string;
  /** Substring of, or RegExp tested on, the path. */
  path?: string | RegExp;
  batched?: boolean;
  status?: number;
  /** Only requests recorded after this sequence number. */
  afterSeq?: number;
}

interface Counter {
  service: Service;
  method: string;
  path: string;
  batched: boolean;
  status: number;
  count: number;
}

const REDACTED_QUERY_KEYS = new Set([
  'client_secret',
  'client_assertion',
  'password',
  'code',
  'device_code',
  'refresh_token',
  'access_token',
  'id_token',
]);

function matches(filter: RequestFilter, r: Omit<RequestRecord, 'seq' | 'at' | 'query'>): boolean {
  if (filter.service && filter.service !== r.service) return false;
  if (filter.method && filter.method.toUpperCase() !== r.method) return false;
  if (filter.batched !== undefined && filter.batched !== r.batched) return false;
  if (filter.status !== undefined && filter.status !== r.status) return false;
  if (filter.path instanceof RegExp) return filter.path.test(r.path);
  return filter.path === undefined || r.path.includes(filter.path);
}

/**
 * The request log: the latest `capacity` records in a ring buffer, plus exact counters per
 * (service, method, path, status, batched) that survive the ring's overwrites.
 */
export class RequestRecorder {
  private ring: RequestRecord[] = [];
  private next = 0;
  private seq = 0;
  private readonly counters = new Map<string, Counter>();
  private waiters = new Set<{ filter: RequestFilter; resolve: (r: RequestRecord) => void }>();

  constructor(
    private readonly capacity: number,
    private readonly onRecord: (record: RequestRecord) => void,
  ) {}

  record(req: FakeRequest, status: number, fault?: string): RequestRecord {
    const query: Record<string, string> = {};
    for (const [key, value] of req.query)
      query[key] = REDACTED_QUERY_KEYS.has(key.toLowerCase()) ? '[redacted]' : value;
    const record: RequestRecord = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      service: req.service,
      method: req.method,
      path: req.path,
      query,
      status,
      batched: req.batched,
      ...(fault ? { fault } : {}),
    };
    if (this.ring.length < this.capacity) {
      this.ring.push(record);
    } else {
      this.ring[this.next] = record;
      this.next = (this.next + 1) % this.capacity;
    }
    const key = `${req.service} ${req.method} ${status} ${req.batched ? 1 : 0} ${req.path}`;
    const counter = this.counters.get(key);
    if (counter) counter.count += 1;
    else
      this.counters.set(key, {
        service: req.service,
        method: req.method,
        path: req.path,
        batched: req.batched,
        status,
        count: 1,
      });
    for (const waiter of this.waiters) {
      if (
        matches(waiter.filter, record) &&
        (waiter.filter.afterSeq === undefined || record.seq > waiter.filter.afterSeq)
      ) {
        this.waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
    this.onRecord(record);
    return record;
  }

  /** Recorded requests still in the ring, oldest first. */
  requests(filter: RequestFilter = {}): RequestRecord[] {
    const ordered =
      this.ring.length < this.capacity ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.filter((r) => matches(filter, r) && (filter.afterSeq === undefined || r.seq > filter.afterSeq));
  }

  /** Exact count of matching requests since the last reset (`afterSeq` is answered from the ring). */
  count(filter: RequestFilter = {}): number {
    if (filter.afterSeq !== undefined) return this.requests(filter).length;
    let total = 0;
    for (const counter of this.counters.values()) if (matches(filter, counter)) total += counter.count;
    return total;
  }

  /** Token requests: Entra token endpoint POSTs plus managed identity token GETs. */
  tokenRequests(): number {
    return (
      this.count({ service: 'identity', method: 'POST', path: /\/oauth2\/v2\.0\/token$/ }) +
      this.count({ service: 'msi', path: '/msi/token' })
    );
  }

  /** Counts per service, for the control API. */
  summary(): { total: number; byService: Record<string, number>; tokenRequests: number } {
    const byService: Record<string, number> = {};
    let total = 0;
    for (const counter of this.counters.values()) {
      byService[counter.service] = (byService[counter.service] ?? 0) + counter.count;
      total += counter.count;
    }
    return { total, byService, tokenRequests: this.tokenRequests() };
  }

  /** The first matching request already recorded (after `afterSeq`, if given), or the next one to come. */
  waitFor(filter: RequestFilter, timeoutMs: number): Promise<RequestRecord> {
    const existing = this.requests(filter)[0];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = {
        filter,
        resolve: (record: RequestRecord) => {
          clearTimeout(timer);
          resolve(record);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake-cloud: no request matching ${describe(filter)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.ring = [];
    this.next = 0;
    this.seq = 0;
    this.counters.clear();
  }
}

function describe(filter: RequestFilter): string {
  return JSON.stringify({ ...filter, path: filter.path instanceof RegExp ? String(filter.path) : filter.path });
}
