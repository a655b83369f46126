import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { commandExists, ManagedProcess, userIds } from './managed-process';
import { logDir, scratchDir } from './paths';
import { freePort, waitUntil } from './ports';

export interface LocalPostgres {
  databaseUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

type Progress = (line: string) => void;

/** Where the PostgreSQL server binaries are: PG_BIN, Debian's versioned dir (newest), or PATH. */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of candidates) if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  if (commandExists('initdb') && commandExists('postgres')) {
    const which = spawnSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' });
    return which.stdout.trim();
  }
  throw new Error('PostgreSQL server binaries (initdb, postgres) not found: install Debian\'s `postgresql` (or set PG_BIN), or set DATABASE_URL');
}

/**
 * A private PostgreSQL cluster: its own data directory and a free port, so it never clashes with a
 * server already running. PostgreSQL refuses to run as root, so as root it runs as the OS user
 * `postgres` (Debian's package creates it). fsync is off: this cluster is for local runs and tests only.
 */
export async function startLocalPostgres(progress: Progress = () => undefined): Promise<LocalPostgres> {
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const runAsUser = asRoot ? (process.env.PRESCIENT_PG_OS_USER ?? 'postgres') : undefined;
  const ids = runAsUser ? userIds(runAsUser) : undefined;
  const dir = scratchDir('postgres');
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  for (const d of [dir]) if (ids) chownSync(d, ids.uid, ids.gid);
  const port = await freePort();
  const logFile = join(logDir(), `postgres-${port}.log`);
  writeFileSync(logFile, '');
  if (ids) chownSync(logFile, ids.uid, ids.gid);

  progress(`initialising PostgreSQL cluster (${bin}) in ${data} …`);
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'prescient', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
    encoding: 'utf8',
    ...(ids ?? {}),
    env: { ...process.env, LC_ALL: 'C' },
  });
  if (initdb.status !== 0) throw new Error(`initdb failed:\n${initdb.stdout}${initdb.stderr}${initdb.error?.message ?? ''}`);
  spawnSync('mkdir', ['-p', sockets], ids ?? {});

  progress(`starting PostgreSQL on 127.0.0.1:${port}, log ${logFile}`);
  const server = new ManagedProcess({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    logFile,
    runAsUser,
    env: { ...process.env, LC_ALL: 'C' },
    // SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients instead of waiting for them.
    stopSignal: 'SIGINT',
  });
  const adminUrl = `postgres://prescient@127.0.0.1:${port}/postgres`;
  try {
    await waitUntil(`PostgreSQL at 127.0.0.1:${port}`, () => postgresAnswers(adminUrl), { timeoutMs: 60000, abort: () => server.exitReason() });
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.query('CREATE DATABASE prescient');
    await client.end();
  } catch (error) {
    await server.stop();
    throw error;
  }
  const databaseUrl = `postgres://prescient@127.0.0.1:${port}/prescient`;
  progress(`PostgreSQL ready at ${databaseUrl}`);
  return { databaseUrl, logFile, stop: async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
