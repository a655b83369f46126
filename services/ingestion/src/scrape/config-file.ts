import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '@prescient/platform';
import { TlsMaterial } from './http-client';

/**
 * What the scrape and backfill config files share: reading a JSON file, naming the bad key (and the
 * target or source by its name) when it does not validate, TLS files and Bearer tokens.
 * A token is never part of any message: errors name the file or the environment variable only.
 */

export function readJsonConfigFile(envKey: string, path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ key: envKey, message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError([{ key: envKey, message: `${path} is not valid JSON: ${(error as Error).message}` }]);
  }
}

/** `targets[1] ('serving').entity.namespace` from a zod path, with the list item's name when it has one. */
export function describePath(path: readonly (string | number)[], raw: unknown): string {
  let out = '';
  let node: unknown = raw;
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
      node = Array.isArray(node) ? node[part] : undefined;
      const name = node && typeof node === 'object' ? (node as { name?: unknown }).name : undefined;
      if (typeof name === 'string' && name.length <= 64) out += ` ('${name}')`;
    } else {
      out += out === '' ? part : `.${part}`;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
  }
  return out || '(root)';
}

/**
 * Refines an environment key that names a config file by loading it: a bad file then fails the
 * service's config validation itself (exit 2 before anything connects), naming the key inside it.
 */
export function checkConfigFile(ctx: z.RefinementCtx, envKey: string, load: () => unknown): void {
  try {
    load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const p of error.problems) ctx.addIssue({ code: z.ZodIssueCode.custom, message: p.key === envKey ? p.message : `${p.key.slice(envKey.length + 1)}: ${p.message}` });
  }
}

export function validateConfigFile<S extends z.ZodTypeAny>(envKey: string, schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((issue) => ({ key: `${envKey} ${describePath(issue.path, raw)}`, message: issue.message })));
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const tlsSchema = z
  .object({
    caFile: z.string().min(1).optional(),
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    insecureSkipVerify: z.boolean().default(false),
    serverName: z.string().min(1).max(253).optional(),
  })
  .strict()
  .refine((t) => !t.certFile === !t.keyFile, { message: 'certFile and keyFile go together (a client certificate needs its key)', path: ['certFile'] });

export const credentialsShape = {
  /** A file holding the token (re-read on every request, so a rotated token is picked up). */
  bearerTokenFile: z.string().min(1).optional(),
  /** The name of an environment variable holding the token. */
  bearerTokenEnv: z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
};

export const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
  .refine((u) => !/^https?:\/\/[^/]*@/i.test(u), 'must not carry credentials; use bearerTokenFile or bearerTokenEnv');

export const exclusiveCredentials = (c: { bearerTokenFile?: string; bearerTokenEnv?: string }) => !(c.bearerTokenFile && c.bearerTokenEnv);

export function loadTls(keyPrefix: string, tls: z.infer<typeof tlsSchema> | undefined): TlsMaterial | undefined {
  if (!tls) return undefined;
  const read = (field: 'caFile' | 'certFile' | 'keyFile') => {
    const file = tls[field];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError([{ key: `${keyPrefix}.tls.${field}`, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
    }
  };
  return { ca: read('caFile'), cert: read('certFile'), key: read('keyFile'), insecureSkipVerify: tls.insecureSkipVerify, serverName: tls.serverName };
}

/** Where a request's Bearer token comes from; `undefined` for none. */
export type TokenSource = () => Promise<string | undefined>;

const validToken = (token: string) => token.length > 0 && !/[\r\n\0]/.test(token);

/**
 * Checks now that the token can be had (the file is readable, the variable set and usable), and
 * returns how to get it for each request. Messages name the file or variable, never the token.
 */
export function tokenSource(keyPrefix: string, credentials: { bearerTokenFile?: string; bearerTokenEnv?: string }, env: NodeJS.ProcessEnv): TokenSource {
  if (credentials.bearerTokenEnv) {
    const name = credentials.bearerTokenEnv;
    const token = env[name]?.trim();
    if (token === undefined || !validToken(token)) {
      throw new ConfigError([{ key: `${keyPrefix}.bearerTokenEnv`, message: `environment variable ${name} ${token === undefined ? 'is not set' : 'is empty or holds a line break'}` }]);
    }
    return async () => token;
  }
  const file = credentials.bearerTokenFile;
  if (file) {
    let initial: string;
    try {
      initial = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new ConfigError([{ key: `${keyPrefix}.bearerTokenFile`, message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
    }
    if (!validToken(initial)) throw new ConfigError([{ key: `${keyPrefix}.bearerTokenFile`, message: `${file} is empty or holds more than one line` }]);
    return async () => {
      let token: string;
      try {
        token = (await readFile(file, 'utf8')).trim();
      } catch (error) {
        throw new Error(`cannot read the bearer token file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      if (!validToken(token)) throw new Error(`the bearer token file ${file} is empty or holds more than one line`);
      return token;
    };
  }
  return async () => undefined;
}

/** Removes a secret from text that might (through some library) have picked it up. */
export function redact(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('<redacted>') : text;
}
