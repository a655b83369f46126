import { Args, Context, Float, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { Injectable } from '@nestjs/common';
import { Confidence, consumerGroupRef, EntityKind, EntityRef, Forecast as ContractForecast, Horizon, nodeRef, workloadRef } from '@prescient/contracts';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { ForecastError, normalizeQuantiles } from '../domain';
import { selectQuantiles } from '../domain/to-contract';
import { aggregateForecasts, MAX_AGGREGATE_PARTS } from '../domain/aggregate';
import { ForecastStore, groupKeyPrefix } from './forecast-store.service';
import { ClusterReference, ConsumerGroupReference, Forecast, ForecastConfidence, ForecastHorizon, NamespaceReference, NodeReference, Workload } from './forecast.model';

const HORIZONS: Record<ForecastHorizon, Horizon> = {
  [ForecastHorizon.HOURS_24]: Horizon.HORIZON_24H,
  [ForecastHorizon.DAYS_7]: Horizon.HORIZON_7D,
  [ForecastHorizon.DAYS_30]: Horizon.HORIZON_30D,
};
const CONFIDENCE: Partial<Record<Confidence, ForecastConfidence>> = {
  [Confidence.CONFIDENCE_LOW]: ForecastConfidence.LOW,
  [Confidence.CONFIDENCE_MEDIUM]: ForecastConfidence.MEDIUM,
  [Confidence.CONFIDENCE_HIGH]: ForecastConfidence.HIGH,
};
const iso = (ms: number) => new Date(ms).toISOString();

export function toGraphQL(f: ContractForecast, horizon: ForecastHorizon): Forecast {
  return {
    metric: f.metric, horizon, model: f.model, confidence: CONFIDENCE[f.confidence] ?? ForecastConfidence.LOW,
    backtestMase: f.backtestMase, windowMax: f.windowMax, windowMin: f.windowMin, windowAvg: f.windowAvg,
    start: iso(f.startMs), stepSeconds: f.stepSeconds, generatedAt: iso(f.generatedAtMs), lastSampleAt: iso(f.lastSampleMs),
    points: f.points.map((p) => ({ timestamp: iso(p.timestampMs), mean: p.mean, quantiles: p.quantiles })),
    measuredCoverage: f.measuredCoverage, flags: f.flags, parts: f.parts,
  };
}

/** The `forecast` field's arguments, the same on every entity. */
interface ForecastArgs {
  metric: string;
  horizon: ForecastHorizon;
  quantiles?: number[];
}

const FORECAST_FIELD = { nullable: true, description: 'The latest forecast of a metric (e.g. cpu_usage_cores); null until one exists.' };
const QUANTILES_ARG = { type: () => [Float], nullable: true, description: 'Quantiles to return; default all published (0.1, 0.5, 0.9, 0.95, 0.99).' };
const HORIZON_ARG = { type: () => ForecastHorizon };

/** Looks up stored forecasts and shapes them for GraphQL; shared by every entity's resolver. */
@Injectable()
export class ForecastFields {
  constructor(private readonly store: ForecastStore) {}

  /** One entity's own stored forecast. */
  async single(entity: EntityRef, args: ForecastArgs): Promise<Forecast | null> {
    const wanted = wantedQuantiles(args.quantiles);
    const stored = await this.store.find(entity, args.metric, HORIZONS[args.horizon]);
    return stored ? shape(stored, wanted, args.horizon) : null;
  }

  /** A namespace's or cluster's forecast: the sum of its workloads' (see aggregateForecasts). */
  async aggregate(group: EntityRef, args: ForecastArgs): Promise<Forecast | null> {
    const wanted = wantedQuantiles(args.quantiles);
    const namespace = group.kind === EntityKind.ENTITY_KIND_NAMESPACE ? group.namespace : undefined;
    const parts = await this.store.findByKeyPrefix(group.tenant, groupKeyPrefix(group.tenant, group.cluster, namespace), args.metric, HORIZONS[args.horizon], MAX_AGGREGATE_PARTS + 1);
    const truncated = parts.length > MAX_AGGREGATE_PARTS;
    const result = aggregateForecasts(group, parts.slice(0, MAX_AGGREGATE_PARTS));
    if (!result) return null;
    if (truncated) result.forecast.flags.push('truncated_parts');
    return shape(result.forecast, wanted, args.horizon);
  }
}

function wantedQuantiles(quantiles: number[] | undefined): number[] {
  try {
    return quantiles && quantiles.length > 0 ? normalizeQuantiles(quantiles) : [];
  } catch (error) {
    throw new GraphQLError((error as ForecastError).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

function shape(stored: ContractForecast, wanted: number[], horizon: ForecastHorizon): Forecast {
  const missing = wanted.filter((q) => !stored.points[0]?.quantiles.some((v) => v.quantile === q));
  if (missing.length > 0) {
    throw new GraphQLError(`quantiles ${missing.join(', ')} are not published; ask the Forecast RPC for others`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return toGraphQL(selectQuantiles(stored, wanted), horizon);
}

/**
 * A resolver that adds `forecast` to one federated entity type: `toEntity` names the entity a
 * parent stands for; `aggregate` sums its workloads' forecasts (Namespace, Cluster) instead of
 * reading its own. One class per type, as NestJS binds a resolver to one type.
 */
function forecastResolverFor<T extends object>(type: new () => T, toEntity: (parent: T, tenant: string) => EntityRef, kind: 'single' | 'aggregate', description: string) {
  @Resolver(() => type)
  class EntityForecastResolver {
    constructor(readonly fields: ForecastFields) {}

    @ResolveReference()
    resolveReference(ref: T): T {
      return ref;
    }

    @ResolveField(() => Forecast, { nullable: true, description })
    forecast(
      @Parent() parent: T,
      @Context() ctx: SubgraphContext,
      @Args('metric') metric: string,
      @Args('horizon', HORIZON_ARG) horizon: ForecastHorizon,
      @Args('quantiles', QUANTILES_ARG) quantiles?: number[],
    ): Promise<Forecast | null> {
      const entity = toEntity(parent, requireTenant(ctx));
      return kind === 'single' ? this.fields.single(entity, { metric, horizon, quantiles }) : this.fields.aggregate(entity, { metric, horizon, quantiles });
    }
  }
  return EntityForecastResolver;
}

const OWN = FORECAST_FIELD.description;

export const ForecastResolver = forecastResolverFor(Workload, (w, tenant) => workloadRef(tenant, w.cluster, w.namespace, w.kind, w.name), 'single', OWN);

export const NodeForecastResolver = forecastResolverFor(NodeReference, (n, tenant) => nodeRef(tenant, n.cluster, n.name), 'single', OWN);

export const ConsumerGroupForecastResolver = forecastResolverFor(ConsumerGroupReference, (g, tenant) => consumerGroupRef(tenant, g.cluster, g.groupId), 'single', OWN);

export const NamespaceForecastResolver = forecastResolverFor(
  NamespaceReference,
  (ns, tenant) => ({ tenant, kind: EntityKind.ENTITY_KIND_NAMESPACE, cluster: ns.cluster, namespace: ns.name, workloadKind: '', name: '' }),
  'aggregate',
  "The sum of the namespace's workloads' latest forecasts of a metric (bottom-up: consistent with its parts).",
);

export const ClusterForecastResolver = forecastResolverFor(
  ClusterReference,
  (c, tenant) => ({ tenant, kind: EntityKind.ENTITY_KIND_CLUSTER, cluster: c.id, namespace: '', workloadKind: '', name: '' }),
  'aggregate',
  "The sum of the cluster's workloads' latest forecasts of a metric (bottom-up: consistent with its namespaces).",
);
