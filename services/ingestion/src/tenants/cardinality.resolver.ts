import { Args, Context, Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { RemoteWriteService } from '../remote-write/remote-write.service';

@ObjectType()
export class MetricCardinality {
  @Field()
  metricName!: string;

  @Field(() => Int)
  activeSeries!: number;
}

@ObjectType({ description: "The caller's active series (a sample within the active window) as this ingestion instance counts them." })
export class SeriesCardinality {
  @Field(() => Int)
  activeSeries!: number;

  @Field(() => Int)
  maxActiveSeries!: number;

  @Field(() => [MetricCardinality], { description: 'Metric names with the most active series, most first.' })
  byMetricName!: MetricCardinality[];
}

@Resolver()
export class CardinalityResolver {
  constructor(private readonly remoteWrite: RemoteWriteService) {}

  @Query(() => SeriesCardinality)
  seriesCardinality(@Context() ctx: SubgraphContext, @Args('topK', { type: () => Int, defaultValue: 10 }) topK: number): SeriesCardinality {
    const c = this.remoteWrite.limiter.cardinality(requireTenant(ctx), Date.now(), Math.min(Math.max(topK, 1), 1000));
    return { activeSeries: c.activeSeries, maxActiveSeries: c.maxActiveSeries, byMetricName: [...c.byMetricName] };
  }
}
