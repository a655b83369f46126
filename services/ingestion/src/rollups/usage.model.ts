import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'One 5-minute rollup of a metric.' })
export class UsagePoint {
  @Field({ description: 'Start of the 5-minute bucket (RFC 3339).' })
  start!: string;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;

  @Field(() => Float)
  avg!: number;

  @Field(() => Int)
  count!: number;

  @Field(() => Float)
  last!: number;
}
