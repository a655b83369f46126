import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TLSSocket } from 'node:tls';
import { agentFor, HttpRequestError, sendRequest } from './http-client';

const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });

async function failure(promise: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpRequestError) return error;
    throw error;
  }
  throw new Error('expected an HttpRequestError');
}

describe('http client', () => {
  let server: Server;
  let base: string;
  const handler = { current: (_req: IncomingMessage, res: ServerResponse) => void res.end('ok') };

  beforeAll(async () => {
    server = createHttpServer((req, res) => handler.current(req, res));
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => close(server));

  it('reads a gzip-encoded body and passes the headers it is given', async () => {
    handler.current = (req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' });
      res.end(gzipSync(`auth=${req.headers.authorization}`));
    };
    const res = await sendRequest(new URL(`${base}/metrics`), { headers: { authorization: 'Bearer t' }, timeoutMs: 2000, maxBodyBytes: 1024 });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('auth=Bearer t');
  });

  it('times out a server that never finishes its body, without naming the headers', async () => {
    handler.current = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
    };
    const error = await failure(sendRequest(new URL(`${base}/slow?token=x`), { headers: { authorization: 'Bearer SECRET' }, timeoutMs: 200, maxBodyBytes: 1024 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`no complete answer from ${base}/slow within 200 ms`);
  });

  it('refuses a body over the limit, on the wire or once decompressed (a gzip bomb)', async () => {
    handler.current = (_req, res) => void res.end(Buffer.alloc(5000));
    expect((await failure(sendRequest(new URL(base), { headers: {}, timeoutMs: 2000, maxBodyBytes: 1000 }))).kind).toBe('body_too_large');
    handler.current = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.alloc(10_000_000)));
    };
    const bomb = await failure(sendRequest(new URL(base), { headers: {}, timeoutMs: 2000, maxBodyBytes: 100_000 }));
    expect(bomb.kind).toBe('body_too_large');
    expect(bomb.message).toMatch(/once decompressed/);
  });

  it('says network for a refused connection, and aborted when the caller aborts', async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    await close(closed);
    expect((await failure(sendRequest(new URL(`http://127.0.0.1:${port}/`), { headers: {}, timeoutMs: 2000, maxBodyBytes: 10 }))).kind).toBe('network');
    handler.current = () => undefined;
    const controller = new AbortController();
    const pending = sendRequest(new URL(base), { headers: {}, timeoutMs: 5000, maxBodyBytes: 10, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).kind).toBe('aborted');
  });
});

describe('http client TLS (CA file, client certificate, insecureSkipVerify)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scrape-tls-'));
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (is openssl installed?): ${r.stderr || r.error?.message}`);
  };
  let server: Server;
  let url: URL;
  const pem = (name: string) => readFileSync(join(dir, name));

  beforeAll(async () => {
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=test-ca');
    for (const who of ['server', 'client']) {
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
      openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', ...(who === 'server' ? ['-extfile', 'san.cnf'] : []));
    }
    server = createHttpsServer({ key: pem('server.key'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      res.end(socket.authorized ? `client ${socket.getPeerCertificate().subject.CN}` : 'anonymous');
    });
    url = new URL(`https://127.0.0.1:${await listen(server)}/metrics`);
  });
  afterAll(() => close(server));

  const get = (tls: Parameters<typeof agentFor>[1]) => {
    const agent = agentFor(url, tls);
    return sendRequest(url, { headers: {}, timeoutMs: 3000, maxBodyBytes: 1024, agent }).finally(() => agent.destroy());
  };

  it('trusts the server through the configured CA and presents the client certificate', async () => {
    expect((await get({ ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') })).body.toString()).toBe('client client');
    expect((await get({ ca: pem('ca.pem') })).body.toString()).toBe('anonymous');
  });

  it('refuses an unknown server certificate unless insecureSkipVerify', async () => {
    const error = await failure(get(undefined));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/certificate/i);
    expect((await get({ insecureSkipVerify: true })).body.toString()).toBe('anonymous');
  });

  it('checks the server name it is told to (SNI / serverName)', async () => {
    expect((await failure(get({ ca: pem('ca.pem'), serverName: 'other.example' }))).message).toMatch(/other\.example|altnames/i);
    expect((await get({ ca: pem('ca.pem'), serverName: 'localhost' })).body.toString()).toBe('anonymous');
  });
});
