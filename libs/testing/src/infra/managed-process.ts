import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, WriteStream } from 'node:fs';

export interface ManagedProcessOptions {
  /** Shown in errors and progress lines. */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this OS user (PostgreSQL refuses to run as root). */
  runAsUser?: string;
  /** Signal that asks the process to shut down cleanly. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
}

/**
 * A child process the project owns: output to a log file, stopped cleanly on request, and never
 * left behind. A detached watchdog kills it if this Node process dies without stopping it (a
 * crashed test run or `kill -9` must not leave a broker holding a port).
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly options: ManagedProcessOptions) {
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    this.child = spawn(options.command, options.args, {
      ...(options.runAsUser ? userIds(options.runAsUser) : {}),
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit();
      });
      this.child.once('error', (error) => {
        this.log.write(`spawn error: ${error.message}\n`);
        this.exitInfo = { code: -1, signal: null };
        resolveExit();
      });
    });
    if (this.child.pid !== undefined) startWatchdog(this.child.pid);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the process is gone, or undefined while it runs. */
  exitReason(): string | undefined {
    if (!this.exitInfo) return undefined;
    const how = this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
    return `${this.options.name} exited (${how}); last log lines from ${this.options.logFile}:\n${this.tail(25)}`;
  }

  tail(lines: number): string {
    try {
      return readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    if (this.exitInfo) return this.closeLog();
    this.child.kill(this.options.stopSignal ?? 'SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.options.stopTimeoutMs ?? 15000).unref());
    if ((await Promise.race([this.exited, timeout])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    return this.closeLog();
  }

  private closeLog(): Promise<void> {
    return new Promise((r) => this.log.end(r));
  }
}

/** Kills `childPid` (and, through runuser, its own child) once this process is gone. */
function startWatchdog(childPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `kill -TERM ${childPid} 2>/dev/null; sleep 5; kill -KILL ${childPid} 2>/dev/null; exit 0`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

/** uid/gid of an OS user, so the child runs as that user directly (its signals reach it unproxied). */
export function userIds(user: string): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, user], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) throw new Error(`OS user '${user}' does not exist`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** True when `command` can be run (used to name a missing tool before trying it). */
export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
