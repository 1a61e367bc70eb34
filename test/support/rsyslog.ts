import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { testPki } from './fake-cloud.js';

export interface SyslogLine {
  version: string;
  appName: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

/** Is Debian's rsyslogd (with the OpenSSL stream driver) on this machine? `.ci/run` installs it when missing. */
export function rsyslogAvailable(): boolean {
  try {
    execFileSync('rsyslogd', ['-v'], { stdio: 'ignore' });
    return (
      existsSync('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so') ||
      existsSync('/usr/lib/rsyslog/lmnsd_ossl.so') ||
      existsSync('/usr/lib/aarch64-linux-gnu/rsyslog/lmnsd_ossl.so')
    );
  } catch {
    return false;
  }
}

/**
 * A real rsyslogd, started by the test with its own configuration in a temp folder: a TLS
 * listener (RFC 5425, the test CA's 127.0.0.1 certificate) on 127.0.0.1 and an ephemeral port,
 * writing each message's parsed RFC 5424 fields to a file. It can be stopped and started again
 * on the same port (a receiver that is down for a while).
 */
export class Rsyslog {
  private child: ChildProcess | undefined;
  port = 0;
  private readonly out: string;

  constructor(private readonly dir: string) {
    this.out = join(dir, 'messages.log');
  }

  async start(): Promise<void> {
    const pki = testPki();
    mkdirSync(join(this.dir, 'work'), { recursive: true });
    writeFileSync(join(this.dir, 'ca.pem'), pki.caCertPem);
    writeFileSync(join(this.dir, 'cert.pem'), pki.serverCertPem);
    writeFileSync(join(this.dir, 'key.pem'), pki.serverKeyPem, { mode: 0o600 });
    const portFile = join(this.dir, `port-${Date.now()}`);
    const f = (name: string) => join(this.dir, name);
    writeFileSync(
      f('rsyslog.conf'),
      [
        `global(workDirectory="${f('work')}" maxMessageSize="64k" defaultNetstreamDriver="ossl" defaultNetstreamDriverCAFile="${f('ca.pem')}" defaultNetstreamDriverCertFile="${f('cert.pem')}" defaultNetstreamDriverKeyFile="${f('key.pem')}")`,
        'module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")',
        `input(type="imtcp" address="127.0.0.1" port="${this.port}" listenPortFileName="${portFile}")`,
        'template(name="fields" type="string" string="%protocol-version%\\t%app-name%\\t%msgid%\\t%structured-data%\\t%msg%\\n")',
        `action(type="omfile" file="${this.out}" template="fields")`,
        '',
      ].join('\n'),
    );
    const child = spawn('rsyslogd', ['-n', '-f', f('rsyslog.conf'), '-i', f('rsyslogd.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    this.child = child;
    const deadline = Date.now() + 15_000;
    // rsyslog writes the port file only for port 0; a restart on a known port is waited for by connecting.
    const listening = async () =>
      this.port ? canConnect(this.port) : existsSync(portFile) && readFileSync(portFile, 'utf8').trim() !== '';
    while (!(await listening())) {
      const problem =
        child.exitCode !== null
          ? `rsyslogd exited (${child.exitCode})`
          : Date.now() > deadline
            ? 'rsyslogd did not listen in time'
            : undefined;
      if (problem) {
        await this.stop();
        throw new Error(`${problem}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    if (!this.port) this.port = Number(readFileSync(portFile, 'utf8').trim());
  }

  /** SIGTERM, and waits for it to exit (it flushes its file first). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  /** The messages written so far. */
  lines(): SyslogLine[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [version = '', appName = '', msgId = '', structuredData = '', ...rest] = line.split('\t');
        return { version, appName, msgId, structuredData, msg: rest.join('\t') };
      });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
