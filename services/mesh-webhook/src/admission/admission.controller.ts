import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ServiceMetrics } from '@prescient/telemetry';
import { Inject } from '@nestjs/common';
import { AdmissionService } from './admission.service';

/**
 * The HTTP layer, as Istio's injector does it: cap the body, 415 on a wrong content type, parse,
 * then hand the review to logic that answers with an AdmissionResponse (errors inside it).
 */
@Controller()
export class AdmissionController {
  private readonly rejected;

  constructor(private readonly admission: AdmissionService, @Inject(ServiceMetrics) metrics: ServiceMetrics) {
    this.rejected = metrics.counter('admission_http_rejected_total', 'Admission HTTP requests refused before review, by reason', ['reason']);
  }

  @Post('mutate')
  async mutate(@Req() req: Request, @Res() res: Response): Promise<void> {
    const refuse = (status: number, reason: string, message: string) => {
      this.rejected.inc({ reason });
      res.status(status).type('text/plain').send(`${reason}: ${message}\n`);
    };
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== 'application/json') return refuse(415, 'unsupported_content_type', `content type must be application/json, got '${contentType.slice(0, 100)}'`);
    const limit = this.admission.config.WEBHOOK_MAX_BODY_BYTES;
    const body = await readCapped(req, limit);
    if (body === 'too_large') return refuse(413, 'body_too_large', `body is over the limit of ${limit} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      // Still an answer Kubernetes understands: allowed, unchanged, with the reason (never block).
      parsed = { malformedJson: (error as Error).message };
    }
    const result = await this.admission.review(parsed);
    res.status(200).json(result.review);
  }
}

function readCapped(req: Request, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      resolveBody('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
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
