import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityKind, EntityRef, entityKey } from '@prescient/contracts';
import { SeenEntity } from './seen-entity.entity';

export interface SeenBatch {
  entity: EntityRef;
  series: readonly { samples: readonly { timestampMs: number }[] }[];
}

export interface SeenRow {
  entity: EntityRef;
  /** Newest sample time, ms. */
  last: number;
  count: number;
}

/**
 * Folds batches into one row per entity (batches of one entity merged, as a multi-row upsert may
 * not touch a row twice), keeping the newest sample time and adding up the samples.
 */
export function foldSeen(into: Map<string, SeenRow>, batches: readonly SeenBatch[]): void {
  for (const b of batches) {
    const key = entityKey(b.entity);
    let row = into.get(key);
    if (!row) into.set(key, (row = { entity: b.entity, last: -Infinity, count: 0 }));
    for (const s of b.series) {
      for (const p of s.samples) if (p.timestampMs > row.last) row.last = p.timestampMs;
      row.count += s.samples.length;
    }
  }
}

/** Merges rows that could not be written back into the rows being gathered. */
export function restoreSeen(into: Map<string, SeenRow>, rows: ReadonlyMap<string, SeenRow>): void {
  for (const [key, row] of rows) {
    const held = into.get(key);
    if (!held) into.set(key, { ...row });
    else {
      held.last = Math.max(held.last, row.last);
      held.count += row.count;
    }
  }
}

/** 9 parameters a row, under PostgreSQL's 65 535. */
const MAX_ROWS_PER_STATEMENT = 5_000;

/** The register of entities seen, kept per tenant; every read is scoped by tenant. */
@Injectable()
export class SeenEntitiesService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Writes batches into the register at once (see foldSeen). */
  async record(batches: readonly SeenBatch[]): Promise<void> {
    const rows = new Map<string, SeenRow>();
    foldSeen(rows, batches);
    await this.write(rows);
  }

  /** One row per entity key: its newest sample time and the samples to add to its count. */
  async write(rows: ReadonlyMap<string, SeenRow>): Promise<void> {
    const list = [...rows.entries()].filter(([, r]) => r.count > 0);
    for (let i = 0; i < list.length; i += MAX_ROWS_PER_STATEMENT) await this.upsert(list.slice(i, i + MAX_ROWS_PER_STATEMENT));
  }

  private async upsert(rows: [string, SeenRow][]): Promise<void> {
    if (rows.length === 0) return;
    const values: unknown[] = [];
    const tuples = rows.map(([key, { entity: e, last, count }], i) => {
      values.push(e.tenant, key, e.kind, e.cluster, e.namespace, e.workloadKind, e.name, new Date(last), count);
      const o = i * 9;
      return `($${o + 1},$${o + 2},$${o + 3},$${o + 4},$${o + 5},$${o + 6},$${o + 7},now(),$${o + 8},$${o + 9})`;
    });
    await this.dataSource.query(
      `INSERT INTO seen_entities (tenant, entity_key, kind, cluster, namespace, workload_kind, name, first_seen_at, last_sample_at, samples_total)
       VALUES ${tuples.join(',')}
       ON CONFLICT (tenant, entity_key) DO UPDATE SET
         last_sample_at = GREATEST(seen_entities.last_sample_at, EXCLUDED.last_sample_at),
         samples_total = seen_entities.samples_total + EXCLUDED.samples_total`,
      values,
    );
  }

  findWorkload(tenant: string, key: { cluster: string; namespace: string; kind: string; name: string }): Promise<SeenEntity | null> {
    return this.dataSource.getRepository(SeenEntity).findOneBy({
      tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: key.cluster, namespace: key.namespace, workloadKind: key.kind, name: key.name,
    });
  }

  findEntity(tenant: string, kind: EntityKind, key: { cluster: string; name: string; namespace?: string }): Promise<SeenEntity | null> {
    return this.dataSource.getRepository(SeenEntity).findOneBy({ tenant, kind, cluster: key.cluster, name: key.name, ...(key.namespace !== undefined ? { namespace: key.namespace } : {}) });
  }

  async clusters(tenant: string): Promise<string[]> {
    const rows: { cluster: string }[] = await this.dataSource.query('SELECT DISTINCT cluster FROM seen_entities WHERE tenant = $1 ORDER BY cluster LIMIT 1000', [tenant]);
    return rows.map((r) => r.cluster);
  }

  async namespaces(tenant: string, cluster: string): Promise<string[]> {
    const rows: { namespace: string }[] = await this.dataSource.query(
      "SELECT DISTINCT namespace FROM seen_entities WHERE tenant = $1 AND cluster = $2 AND namespace <> '' ORDER BY namespace LIMIT 10000",
      [tenant, cluster],
    );
    return rows.map((r) => r.namespace);
  }

  listWorkloads(tenant: string, filter: { cluster?: string; namespace?: string }, limit: number): Promise<SeenEntity[]> {
    return this.dataSource.getRepository(SeenEntity).find({
      where: { tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, ...(filter.cluster ? { cluster: filter.cluster } : {}), ...(filter.namespace ? { namespace: filter.namespace } : {}) },
      order: { cluster: 'ASC', namespace: 'ASC', name: 'ASC' },
      take: limit,
    });
  }
}
