import { EntityRef, entityKey } from '@prescient/contracts';
import { EntitySample } from './entity-mapper';

export interface EntityBatch {
  entity: EntityRef;
  series: { metric: string; samples: { timestampMs: number; value: number }[] }[];
}

/** Groups the mapper's samples into one batch per entity (a SampleBatch each), samples in time order. */
export function toEntityBatches(samples: readonly EntitySample[]): EntityBatch[] {
  const byEntity = new Map<string, { entity: EntityRef; series: Map<string, { timestampMs: number; value: number }[]> }>();
  for (const s of samples) {
    const key = entityKey(s.entity);
    let b = byEntity.get(key);
    if (!b) byEntity.set(key, (b = { entity: s.entity, series: new Map() }));
    let points = b.series.get(s.metric);
    if (!points) b.series.set(s.metric, (points = []));
    points.push({ timestampMs: s.timestampMs, value: s.value });
  }
  return [...byEntity.values()].map((b) => ({
    entity: b.entity,
    series: [...b.series.entries()].map(([metric, points]) => ({ metric, samples: points.sort((x, y) => x.timestampMs - y.timestampMs) })),
  }));
}
