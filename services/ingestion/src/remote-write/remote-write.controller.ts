import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isValidTenant, TENANT_HEADER } from '@prescient/contracts';
import { RemoteWriteService, WriteOutcome } from './remote-write.service';

/** Tenant header names accepted on remote_write: ours, and the one Cortex/Mimir/Thanos users already set. */
const TENANT_HEADERS = [TENANT_HEADER, 'x-scope-orgid'];

/** Prometheus remote-write 1.0 receiver (https://prometheus.io/docs/specs/remote_write_spec/). */
@Controller()
export class RemoteWriteController {
  constructor(private readonly service: RemoteWriteService) {}

  @Post('api/v1/write')
  async write(@Req() req: Request, @Res() res: Response): Promise<void> {
    const outcome = await this.handle(req);
    if (outcome.status === 204) {
      res.status(204).end();
      return;
    }
    if (outcome.status === 503 || outcome.status === 429) res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
    res.status(outcome.status).type('text/plain').send(`${outcome.reason}: ${outcome.message}\n`);
    if (outcome.status === 413) req.resume(); // drain what we refused to read, so the socket can be reused
  }

  private async handle(req: Request): Promise<WriteOutcome> {
    if (!this.service.receives) {
      return this.service.refuse({ status: 404, reason: 'not_a_receiver', message: 'this instance does not receive remote_write (INGESTION_ROLES lacks receiver)' });
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/x-protobuf') {
      return this.service.refuse({ status: 415, reason: 'unsupported_content_type', message: `content type must be application/x-protobuf, got '${contentType.slice(0, 100)}'` });
    }
    const encoding = (req.headers['content-encoding'] ?? 'snappy').toString().toLowerCase();
    if (encoding !== 'snappy') {
      return this.service.refuse({ status: 415, reason: 'unsupported_content_encoding', message: `content encoding must be snappy, got '${encoding.slice(0, 100)}'` });
    }
    const version = req.headers['x-prometheus-remote-write-version'];
    if (version !== undefined && !String(version).startsWith('0.1')) {
      return this.service.refuse({ status: 415, reason: 'unsupported_version', message: `remote-write version '${String(version).slice(0, 20)}' is not supported; use 0.1.0 (remote-write 1.0)` });
    }
    // The header, or `?tenant=` for senders that cannot set headers (Debian's Prometheus 2.42 sends
    // no remote_write `headers`, whatever its configuration says).
    const fromHeader = TENANT_HEADERS.map((h) => req.headers[h]).find((v) => v !== undefined);
    const fromQuery = req.query.tenant;
    if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
      return this.service.refuse({ status: 400, reason: 'conflicting_tenant', message: 'the tenant header and the tenant query parameter differ' });
    }
    const tenant = fromHeader ?? fromQuery;
    if (tenant === undefined) {
      return this.service.refuse({ status: 401, reason: 'missing_tenant', message: `set the ${TENANT_HEADER} (or X-Scope-OrgID) header, or ?tenant= on the URL` });
    }
    if (!isValidTenant(tenant)) {
      return this.service.refuse({ status: 400, reason: 'invalid_tenant', message: 'tenant must be a DNS label (lower-case letters, digits, -)' });
    }
    const limit = this.service.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      return this.service.refuse({ status: 413, reason: 'body_too_large', message: `content-length ${declared} is over the limit of ${limit} bytes` });
    }
    const body = await readCapped(req, limit);
    if (body === 'too_large') {
      return this.service.refuse({ status: 413, reason: 'body_too_large', message: `body is over the limit of ${limit} bytes` });
    }
    return this.service.write(tenant, body);
  }
}

/** Reads the body, stopping as soon as it passes `limit` bytes. */
function readCapped(req: Request, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        resolveBody('too_large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolveBody(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}
