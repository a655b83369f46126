import { ExpositionFormat } from './parse-exposition';

/**
 * The Accept header Prometheus sends on a scrape (scrape/scrape.go, `scrapeAcceptHeader`, 2.x):
 * OpenMetrics 1.0 first, its 0.0.1 draft, then the text format 0.0.4, then anything.
 */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export type Negotiated = { format: ExpositionFormat } | { unsupported: string };

/**
 * The parser for a response's Content-Type, as Prometheus' textparse.New picks it: the media type
 * `application/openmetrics-text` selects OpenMetrics, anything `text/plain` (or no Content-Type at
 * all, which old exporters send) the text format. Anything else (HTML from a login page, JSON from
 * an API that is not an exporter) is refused by name rather than parsed into nonsense — Prometheus 3
 * refuses it too, unless told a fallback protocol.
 */
export function negotiateFormat(contentType: string | undefined): Negotiated {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === '' || mediaType === 'text/plain') return { format: 'prometheus-text' };
  if (mediaType === 'application/openmetrics-text') return { format: 'openmetrics' };
  return { unsupported: mediaType.slice(0, 100) };
}
