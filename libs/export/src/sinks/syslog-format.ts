import type { ExportEvent } from '../event-schema.js';

/** The structured-data id: `riposte@32473` (32473 is the private enterprise number RFC 5612 sets aside for examples and documentation). */
export const SD_ID = 'riposte@32473';
const APP_NAME = 'riposte';
const CEF_VENDOR = 'Riposte';
const CEF_PRODUCT = 'Riposte';
export const CEF_VERSION = '0.1.0';

/** RFC 5424 severities (0 emergency … 7 debug) for an event. */
export function syslogSeverity(event: ExportEvent): number {
  const d = event.data;
  switch (event.type) {
    case 'alert.received':
      return d.severity === 'high' ? 3 : d.severity === 'medium' ? 4 : 5;
    case 'run.ended':
      return d.status === 'failed' ? 4 : 6;
    case 'effect.settled':
      return d.status === 'failed' ? 4 : 5;
    case 'audit.recorded':
      return d.result === 'denied' ? 4 : d.result === 'failure' ? 5 : 6;
    default:
      return 6;
  }
}

/** CEF severities (0 … 10). */
export function cefSeverity(event: ExportEvent): number {
  return { 3: 8, 4: 6, 5: 4, 6: 2 }[syslogSeverity(event)] ?? 2;
}

/** PRINTUSASCII without spaces, at most `max` characters, `-` when empty (RFC 5424 header fields). */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

function sdValue(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** One RFC 5424 message: the event's JSON as MSG, its id and place in structured data. */
export function rfc5424(
  event: ExportEvent,
  options: { facility: number; hostname: string },
  body: string = JSON.stringify(event),
): string {
  const pri = options.facility * 8 + syslogSeverity(event);
  const sd = `[${SD_ID} id="${sdValue(event.id)}" seq="${event.seq}" schema="${sdValue(event.schema)}"]`;
  return `<${pri}>1 ${event.time} ${headerField(options.hostname, 255)} ${APP_NAME} - ${headerField(event.type, 32)} ${sd} ${body}`;
}

/** RFC 6587 octet counting, as RFC 5425 requires over TLS: `<length> <message>`. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${bytes.length} `, 'ascii'), bytes]);
}

function cefHeader(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[\\|]/g, (c) => `\\${c}`);
}

function cefValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n').slice(0, 4000);
}

/** ArcSight Common Event Format: what the event is in CEF's own fields; the whole event stays in `cs6`. */
export function cef(event: ExportEvent): string {
  // The shapes are those event-schema.ts builds; read loosely, as a receiver would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const d = event.data as Record<string, any>;
  const ext: [string, unknown][] = [
    ['rt', Date.parse(event.time)],
    ['externalId', event.id],
    ['cn1Label', 'seq'],
    ['cn1', event.seq],
  ];
  let name: string;
  switch (event.type) {
    case 'alert.received': {
      name = `Alert received: ${d.title}`;
      const user = d.users?.[0]?.userPrincipalName;
      const host = d.devices?.[0]?.deviceDnsName;
      const ip = d.ips?.[0]?.address;
      ext.push(
        ['msg', d.title],
        ['cat', d.category ?? d.serviceSource],
        ['cs1Label', 'alertId'],
        ['cs1', d.alertId],
        ['cs2Label', 'providerAlertId'],
        ['cs2', d.providerAlertId],
      );
      if (user) ext.push(['duser', user]);
      if (host) ext.push(['dhost', host]);
      if (ip) ext.push(['src', ip]);
      break;
    }
    case 'run.started':
    case 'run.ended': {
      const what = d.playbook ? `playbook ${d.playbook.id}` : d.kind;
      name = event.type === 'run.started' ? `Run started: ${what}` : `Run ${d.status}: ${what}`;
      ext.push(
        ['cs1Label', 'runId'],
        ['cs1', d.runId],
        ['cs2Label', 'playbook'],
        ['cs2', d.playbook ? `${d.playbook.id}@${d.playbook.version}` : d.kind],
      );
      if (d.trigger?.by) ext.push(['suser', d.trigger.by]);
      if (d.connectionTarget) ext.push(['cs3Label', 'connectionTarget'], ['cs3', d.connectionTarget]);
      if (event.type === 'run.ended') ext.push(['outcome', d.status]);
      break;
    }
    case 'effect.settled':
      name = `Action ${d.status}: ${d.action} on ${d.entity}`;
      ext.push(
        ['act', d.action],
        ['outcome', d.status],
        ['cs1Label', 'runId'],
        ['cs1', d.runId],
        ['cs3Label', 'connectionTarget'],
        ['cs3', d.connectionTarget],
        ['cs4Label', 'entity'],
        ['cs4', d.entity],
      );
      break;
    case 'audit.recorded':
      name = `Audit: ${d.action} ${d.result}`;
      ext.push(['suser', d.actor], ['act', d.action], ['outcome', d.result]);
      if (d.runId) ext.push(['cs1Label', 'runId'], ['cs1', d.runId]);
      if (d.connectionTarget) ext.push(['cs3Label', 'connectionTarget'], ['cs3', d.connectionTarget]);
      if (d.targetEntity) ext.push(['cs4Label', 'entity'], ['cs4', d.targetEntity]);
      break;
    default:
      name = event.type;
  }
  ext.push(['cs6Label', 'event'], ['cs6', event]);
  const extension = ext
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ');
  return `CEF:0|${CEF_VENDOR}|${CEF_PRODUCT}|${CEF_VERSION}|${cefHeader(event.type)}|${cefHeader(String(name).slice(0, 512))}|${cefSeverity(event)}|${extension}`;
}
