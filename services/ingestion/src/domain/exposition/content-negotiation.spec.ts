import { negotiateFormat, SCRAPE_ACCEPT_HEADER } from './content-negotiation';

describe('content negotiation', () => {
  it('asks for OpenMetrics 1.0 first and the text format at q=0.5, as Prometheus does', () => {
    expect(SCRAPE_ACCEPT_HEADER.startsWith('application/openmetrics-text;version=1.0.0,')).toBe(true);
    expect(SCRAPE_ACCEPT_HEADER).toContain('text/plain;version=0.0.4;q=0.5');
  });

  it.each([
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', { format: 'openmetrics' }],
    ['Application/OpenMetrics-Text;version=0.0.1', { format: 'openmetrics' }],
    ['text/plain; version=0.0.4; charset=utf-8', { format: 'prometheus-text' }],
    ['text/plain', { format: 'prometheus-text' }],
    [undefined, { format: 'prometheus-text' }],
    ['text/html; charset=utf-8', { unsupported: 'text/html' }],
    ['application/json', { unsupported: 'application/json' }],
  ])('%s → %j', (contentType, expected) => {
    expect(negotiateFormat(contentType)).toEqual(expected);
  });
});
