import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { testPki } from './fake-cloud.js';

export interface HecEvent {
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: { schema: string; seq: number; id: string; type: string; time: string; data: Record<string, unknown> };
}

/**
 * A Splunk HTTP Event Collector stand-in over HTTPS (the test CA's 127.0.0.1 certificate):
 * `POST /services/collector/event` with `Authorization: Splunk <token>`, concatenated JSON
 * events, Splunk's answers and codes. It can be stopped and started again on the same port
 * (a receiver that is down for a while), and made to refuse chosen events as bad data.
 */
export class HecReceiver {
  readonly received: HecEvent[] = [];
  requests = 0;
  /** Events for which this returns true are refused with 400 (code 6), as Splunk refuses malformed data. */
  refuse: (event: HecEvent) => boolean = () => false;
  /** Holds each answer this long after the events were taken (an acknowledgement that may never arrive). */
  answerDelayMs = 0;
  private server: Server | undefined;
  port = 0;

  constructor(readonly token: string) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const pki = testPki();
    const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests += 1;
        const answer = (status: number, body: object) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || req.url !== '/services/collector/event')
          return answer(404, { text: 'The requested URL was not found on this server.', code: 404 });
        if (req.headers.authorization !== `Splunk ${this.token}`)
          return answer(req.headers.authorization ? 403 : 401, {
            text: req.headers.authorization ? 'Invalid token' : 'Token is required',
            code: req.headers.authorization ? 4 : 2,
          });
        let events: HecEvent[];
        try {
          events = Buffer.concat(chunks)
            .toString('utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as HecEvent);
        } catch {
          return answer(400, { text: 'Invalid data format', code: 6 });
        }
        if (!events.length) return answer(400, { text: 'No data', code: 5 });
        const refused = events.findIndex((e) => this.refuse(e));
        if (refused >= 0) return answer(400, { text: 'Invalid data format', code: 6, 'invalid-event-number': refused });
        this.received.push(...events);
        if (!this.answerDelayMs) return answer(200, { text: 'Success', code: 0 });
        setTimeout(() => answer(200, { text: 'Success', code: 0 }), this.answerDelayMs).unref();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: senders get connection refused until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
