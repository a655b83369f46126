import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';
import { CLOUDS, DEFAULT_PRICE_TABLE, parsePriceTable, PriceError, unitRates, type Cloud, type PriceTable } from '../domain';

/** The environment key of each cloud's region (its table's `defaultRegion` when unset). */
export const REGION_KEYS: Record<Cloud, string> = { aws: 'COST_REGION_AWS', azure: 'COST_REGION_AZURE', gcp: 'COST_REGION_GCP' };

const region = z.string().trim().min(1).max(64).optional();

const costEnvSchema = z.object({
  ...baseConfigShape,
  HTTP_PORT: port(9204),
  GRPC_PORT: port(9214),
  /** A JSON price table replacing the built-in one (the shape of `DEFAULT_PRICE_TABLE`, checked by `parsePriceTable`). */
  COST_PRICE_TABLE_FILE: z.string().trim().min(1).optional(),
  COST_REGION_AWS: region,
  COST_REGION_AZURE: region,
  COST_REGION_GCP: region,
});

/**
 * Cost's configuration. The price table is read and checked here, and every configured region is
 * looked up in it, so a bad file or an unpriced region refuses the start, naming the key.
 */
export const costConfigSchema = costEnvSchema.transform((env, ctx) => {
  let priceTable: PriceTable = DEFAULT_PRICE_TABLE;
  if (env.COST_PRICE_TABLE_FILE !== undefined) {
    const loaded = loadPriceTable(env.COST_PRICE_TABLE_FILE);
    if (typeof loaded === 'string') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['COST_PRICE_TABLE_FILE'], message: loaded });
      return z.NEVER;
    }
    priceTable = loaded;
  }
  const regions: Partial<Record<Cloud, string>> = {};
  for (const cloud of CLOUDS) {
    const wanted = env[REGION_KEYS[cloud] as 'COST_REGION_AWS'];
    try {
      regions[cloud] = unitRates(priceTable, cloud, wanted).region;
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [REGION_KEYS[cloud]], message: (error as Error).message });
    }
  }
  return { ...env, priceTable, regions };
});

export type CostConfig = z.infer<typeof costConfigSchema>;

/** The table in `path`, or what is wrong with it. */
function loadPriceTable(path: string): PriceTable | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot read ${path}: ${(error as Error).message}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `${path} is not valid JSON: ${(error as Error).message}`;
  }
  try {
    return parsePriceTable(json);
  } catch (error) {
    if (error instanceof PriceError) return `${path}: ${error.message}`;
    throw error;
  }
}
