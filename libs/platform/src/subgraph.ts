import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloFederationDriver, ApolloFederationDriverConfig } from '@nestjs/apollo';
import { DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { isValidTenant, TENANT_HEADER } from '@prescient/contracts';

export interface SubgraphContext {
  tenant: string | undefined;
}

/**
 * The service's federated subgraph (Federation 2, code-first). The tenant comes from the header the
 * gateway forwards; every resolver asks `requireTenant` and scopes its queries by it.
 */
export function subgraphModule(orphanedTypes: Function[] = []): DynamicModule {
  return GraphQLModule.forRoot<ApolloFederationDriverConfig>({
    driver: ApolloFederationDriver,
    autoSchemaFile: { federation: 2 },
    sortSchema: true,
    playground: false,
    // Inline traces (ftv1) feed Apollo's hosted usage reporting, which we do not use: traces go to OTel.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    path: '/graphql',
    buildSchemaOptions: { orphanedTypes },
    context: ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): SubgraphContext => {
      const raw = req.headers[TENANT_HEADER];
      return { tenant: Array.isArray(raw) ? raw[0] : raw };
    },
  });
}

export function requireTenant(context: SubgraphContext): string {
  const tenant = context.tenant;
  if (tenant === undefined || tenant === '') {
    throw new GraphQLError(`the ${TENANT_HEADER} header is required`, { extensions: { code: 'UNAUTHENTICATED' } });
  }
  if (!isValidTenant(tenant)) {
    throw new GraphQLError(`tenant '${String(tenant).slice(0, 80)}' is not a valid tenant id`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return tenant;
}
