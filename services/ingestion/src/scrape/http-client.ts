import { Agent as HttpAgent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createGunzip, createInflate } from 'node:zlib';
import { Readable } from 'node:stream';

/**
 * A small HTTP client for scrapes and query_range calls, on node:http/https because the global
 * fetch cannot take a per-target CA, client certificate or insecureSkipVerify without undici, which
 * is not a dependency. Bounded in time (one AbortController for the whole exchange, body included)
 * and in size (counted on the wire and after gzip), and its errors never carry request headers, so
 * a Bearer token cannot leak through them.
 */

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Prometheus' `insecure_skip_verify`: accept any server certificate. */
  insecureSkipVerify?: boolean;
  /** SNI and the name checked against the certificate, when it differs from the URL's host. */
  serverName?: string;
}

export type HttpFailureKind = 'timeout' | 'network' | 'body_too_large' | 'aborted';

export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';

  constructor(readonly kind: HttpFailureKind, message: string) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  agent?: HttpAgent | HttpsAgent;
  /** Aborts the request from outside (shutdown). */
  signal?: AbortSignal;
}

/** A keep-alive agent for one target, with its TLS material (reused across scrapes, as Prometheus does). */
export function agentFor(url: URL, tls: TlsMaterial | undefined): HttpAgent | HttpsAgent {
  if (url.protocol === 'http:') return new HttpAgent({ keepAlive: true, maxSockets: 4 });
  return new HttpsAgent({
    keepAlive: true,
    maxSockets: 4,
    ca: tls?.ca,
    cert: tls?.cert,
    key: tls?.key,
    rejectUnauthorized: !tls?.insecureSkipVerify,
    servername: tls?.serverName,
  });
}

export function sendRequest(url: URL, options: HttpRequestOptions): Promise<HttpResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const target = `${url.protocol}//${url.host}${url.pathname}`; // no query string, no credentials
  const failure = (error: Error): HttpRequestError => {
    if (error instanceof HttpRequestError) return error;
    if (timedOut) return new HttpRequestError('timeout', `no complete answer from ${target} within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) return new HttpRequestError('aborted', `request to ${target} aborted`);
    const code = (error as NodeJS.ErrnoException).code;
    return new HttpRequestError('network', `request to ${target} failed: ${code ? `${code} ` : ''}${error.message}`.slice(0, 500));
  };

  return new Promise<HttpResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent, signal: controller.signal }, (res) => {
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      let stream: Readable = res;
      let wire = 0;
      res.on('data', (chunk: Buffer) => {
        wire += chunk.length;
        if (wire > options.maxBodyBytes) res.destroy(new HttpRequestError('body_too_large', `the answer from ${target} is larger than ${options.maxBodyBytes} bytes`));
      });
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(createGunzip());
      else if (encoding === 'deflate') stream = res.pipe(createInflate());
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (error: Error) => {
        stream.destroy();
        reject(failure(error));
      };
      res.on('error', fail);
      stream.on('error', fail);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          res.destroy();
          fail(new HttpRequestError('body_too_large', `the answer from ${target} is larger than ${options.maxBodyBytes} bytes once decompressed`));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) }));
    });
    req.on('error', (error) => reject(failure(error)));
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  }).finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  });
}
