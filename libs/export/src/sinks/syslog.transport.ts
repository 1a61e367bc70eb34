import { hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import { connect, rootCertificates, type TLSSocket } from 'node:tls';
import type { ExportEvent } from '../event-schema.js';
import { DeliveryError, describeNetworkError, type Transport } from './delivery.js';
import type { DestinationPolicy } from './destination-policy.js';
import { cef, octetCounted, rfc5424 } from './syslog-format.js';

export interface SyslogSettings {
  host: string;
  port: number;
  format: 'rfc5424' | 'cef';
  facility: number;
  hostname?: string;
  caCertificatePem?: string;
}

/**
 * Syslog over TLS (RFC 5425: RFC 5424 messages, octet-counted), with the message body as JSON
 * or as CEF for ArcSight. Plain syslog has no acknowledgements: a written event may still be
 * lost when the connection breaks. So when it does, everything written on that connection in the
 * last REPLAY_MS is sent again (duplicates are allowed, loss is not); receivers dedupe by `id`.
 */
const REPLAY_MS = 15_000;
const CONNECT_TIMEOUT_MS = 10_000;
const WRITE_TIMEOUT_MS = 30_000;

export class SyslogTransport implements Transport {
  readonly batchSize = 200;
  private socket: TLSSocket | undefined;
  private broken: string | undefined;
  /** Events written on the current connection, with when. */
  private written: { seq: number; at: number }[] = [];

  constructor(
    private readonly settings: SyslogSettings,
    private readonly policy: DestinationPolicy,
  ) {}

  private get what(): string {
    return `The syslog receiver ${this.settings.host}:${this.settings.port}`;
  }

  async send(events: ExportEvent[]): Promise<void> {
    if (this.socket && this.broken) this.breakOff(this.broken);
    const socket = this.socket ?? (await this.open());
    const frames = Buffer.concat(events.map((e) => octetCounted(this.format(e))));
    await new Promise<void>((resolve, reject) => {
      // A receiver that stops reading fills the window: give up on the connection rather than wait for ever.
      const stuck = setTimeout(
        () => reject(Object.assign(new Error('write timed out'), { code: 'ETIMEDOUT' })),
        WRITE_TIMEOUT_MS,
      );
      socket.write(frames, (error) => {
        clearTimeout(stuck);
        if (error) reject(error);
        else resolve();
      });
    }).catch((error: unknown) => {
      this.written.push(...events.map((e) => ({ seq: e.seq, at: Date.now() })));
      this.breakOff(describeNetworkError(error, this.what));
    });
    const now = Date.now();
    this.written = this.written.filter((w) => now - w.at < REPLAY_MS);
    for (const e of events) this.written.push({ seq: e.seq, at: now });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private format(event: ExportEvent): string {
    const options = { facility: this.settings.facility, hostname: this.settings.hostname ?? osHostname() };
    return this.settings.format === 'cef' ? rfc5424(event, options, cef(event)) : rfc5424(event, options);
  }

  /** Drops the broken connection and asks for what it may have lost to be sent again. */
  private breakOff(reason: string): never {
    const since = Date.now() - REPLAY_MS;
    const first = this.written.find((w) => w.at >= since);
    this.close();
    this.written = [];
    this.broken = undefined;
    throw new DeliveryError('rewind', `${reason} Sending the last events again.`, {
      rewindTo: first ? first.seq - 1 : undefined,
    });
  }

  private open(): Promise<TLSSocket> {
    const { host, port, caCertificatePem } = this.settings;
    const bare = host.replace(/^\[|\]$/g, '');
    // A name is checked by the lookup on every connection; an IP literal is not looked up.
    const refused = isIP(bare) ? this.policy.refuseAddress(bare) : null;
    if (refused)
      return Promise.reject(new DeliveryError('retry', `${this.what} is not allowed: ${refused}.`, { lasting: true }));
    return new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({
        host: bare,
        port,
        servername: isIP(bare) ? undefined : bare,
        ca: caCertificatePem ? [...rootCertificates, caCertificatePem] : undefined,
        lookup: this.policy.lookup() as never,
        timeout: CONNECT_TIMEOUT_MS,
      });
      const fail = (error: unknown) => {
        socket.destroy();
        reject(new DeliveryError('retry', describeNetworkError(error, this.what)));
      };
      socket.once('error', fail);
      socket.once('timeout', () => fail(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      socket.once('secureConnect', () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        socket.setKeepAlive(true, 30_000);
        // The receiver says nothing on a syslog stream: any end or error means it is gone.
        const gone = (why: string) => {
          if (this.socket === socket) this.broken = `${this.what} ${why}.`;
        };
        socket.on('error', (error) => gone(`failed (${(error as { code?: string }).code ?? error.message})`));
        socket.on('end', () => gone('closed the connection'));
        socket.on('close', () => gone('closed the connection'));
        socket.on('data', () => undefined);
        this.socket = socket;
        this.written = [];
        resolve(socket);
      });
    });
  }
}
