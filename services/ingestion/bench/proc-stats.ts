/** CPU accounting from /proc (Linux): per process (all its threads) and for the whole machine. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly ppid: number;
  /** utime + stime of every thread of the process, in seconds. */
  readonly cpuSeconds: number;
  /** cutime + cstime: CPU of its children that exited and were reaped. */
  readonly reapedChildrenSeconds: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may contain spaces or ')': the fields after the last ')' are fixed.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = ticksPerSecond();
  return {
    pid,
    comm,
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticks,
    reapedChildrenSeconds: (Number(fields[13]) + Number(fields[14])) / ticks,
  };
}

export function processCpuSeconds(pid: number): number | undefined {
  return readStat(pid)?.cpuSeconds;
}

/** Live children of `ppid` whose command name is `comm`. */
export function childPids(ppid: number, comm?: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === ppid && (comm === undefined || stat.comm === comm)) pids.push(stat.pid);
  }
  return pids;
}

/**
 * CPU of a process and all its descendants (PostgreSQL forks a backend per connection): the live ones,
 * plus those that exited, through their parents' cutime/cstime.
 */
export function treeCpuSeconds(rootPid: number): number {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) all.push(stat);
  }
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of all) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  let total = 0;
  const stack = all.filter((s) => s.pid === rootPid);
  while (stack.length > 0) {
    const stat = stack.pop()!;
    total += stat.cpuSeconds + stat.reapedChildrenSeconds;
    stack.push(...(byParent.get(stat.pid) ?? []));
  }
  return total;
}

export interface MachineCpu {
  /** Busy (non-idle, non-iowait) CPU seconds over all cores since boot. */
  readonly busySeconds: number;
  readonly totalSeconds: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values;
  const busy = user + nice + system + irq + softirq + steal;
  return { busySeconds: busy / ticksPerSecond(), totalSeconds: (busy + idle + iowait) / ticksPerSecond() };
}
