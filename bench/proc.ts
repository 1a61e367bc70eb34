import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * What the kernel knows about the service process (Linux /proc). `process.cpuUsage()` only sees
 * the calling process; the service is a child, so its CPU and memory are read from /proc/<pid>.
 * CPU time covers every thread of the process: the JS thread, libuv's pool (where sqlite3 runs
 * its statements), V8's GC and compiler threads.
 */

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of a process, in ms (resolution: one clock tick, usually 10 ms). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1000) / clockTicks();
}

/** Resident set size and its high-water mark, in bytes. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Bytes the process caused to be written to storage, and its write system calls (files and sockets). */
export function io(pid: number): { writeBytes: number; syscw: number; wchar: number } {
  try {
    const text = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { writeBytes: field('write_bytes'), syscw: field('syscw'), wchar: field('wchar') };
  } catch {
    return { writeBytes: Number.NaN, syscw: Number.NaN, wchar: Number.NaN };
  }
}

/**
 * CPU time of the whole machine (busy, all cores), of this process, and of its reaped children
 * (the service processes, once they have exited), in ms. The rest of the machine's busy time was
 * used by other processes: noise for the measurements.
 */
export function machineCpu(): { machineBusyMs: number; selfMs: number; childrenMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busyTicks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 1000 / clockTicks();
  return {
    machineBusyMs: busyTicks * tick,
    selfMs: (Number(fields[11]) + Number(fields[12])) * tick,
    childrenMs: (Number(fields[13]) + Number(fields[14])) * tick,
  };
}
