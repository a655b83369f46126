import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { logDir, REPO_ROOT } from './infra/paths';

export interface ServiceProcess {
  name: string;
  httpPort: number;
  grpcPort?: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

/** The command that runs a service's TypeScript entry point directly. */
export function serviceCommand(entry: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['-r', join(REPO_ROOT, 'tools', 'register.js'), join(REPO_ROOT, entry)] };
}

/**
 * Starts a service as its own process (one subgraph per process: Nest's type registry is global)
 * and resolves once it logs its `ready` event with the ports it bound. Rejects with its log tail
 * if it exits first or is not ready in time.
 */
export function startServiceProcess(name: string, entry: string, env: NodeJS.ProcessEnv, timeoutMs = 90000): Promise<ServiceProcess> {
  const { command, args } = serviceCommand(entry);
  const logFile = join(logDir(), `${name}-${Date.now().toString(36)}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready within ${timeoutMs} ms:\n${tail.join('\n')}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (line.includes('"event":"ready"')) {
          const ready = JSON.parse(line) as { httpPort: number; grpcPort?: number };
          clearTimeout(timer);
          const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
          resolveStart({
            name, httpPort: ready.httpPort, grpcPort: ready.grpcPort, child, logFile,
            stop: async () => {
              if (child.exitCode === null) child.kill('SIGTERM');
              const code = await exited;
              log.end();
              return code;
            },
          });
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      tail.push(chunk.toString().trimEnd());
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before ready (code ${code}, signal ${signal}):\n${tail.join('\n')}`));
    });
  });
}
