import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (libs/testing/src/infra → four levels up). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** Downloaded artifacts (Kafka's jars): kept across runs, git-ignored. */
export function cacheDir(...parts: string[]): string {
  const dir = join(process.env.PRESCIENT_CACHE_DIR ?? join(REPO_ROOT, '.cache'), ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Logs of every process the project starts: `.prescient/logs/<name>.log`, the place README names. */
export function logDir(): string {
  const dir = process.env.PRESCIENT_LOG_DIR ?? join(REPO_ROOT, '.prescient', 'logs');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Scratch data (broker log dirs, the database cluster): under the OS temp dir, because PostgreSQL
 * runs as its own user when we are root and must be able to reach its data directory.
 */
export function scratchDir(name: string): string {
  const dir = join(tmpdir(), 'prescient', `${name}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
