import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per service: prom-client's default process metrics plus the service's own, all
 * named `prescient_<service>_<what>_<unit>` (counters end in `_total`), labels bounded.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly prefix: string;

  constructor(readonly serviceName: string) {
    this.prefix = `prescient_${serviceName.replace(/-/g, '_')}_`;
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
    return this.getOrCreate(name, () => new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry] }));
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.getOrCreate(name, () => new Gauge({ name: this.prefix + name, help, labelNames, registers: [this.registry] }));
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
    return this.getOrCreate(name, () => new Histogram({ name: this.prefix + name, help, labelNames, buckets, registers: [this.registry] }));
  }

  /** Prometheus text exposition (0.0.4), which every scraper accepts. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private getOrCreate<M>(name: string, create: () => M): M {
    const existing = this.registry.getSingleMetric(this.prefix + name) as M | undefined;
    return existing ?? create();
  }
}
