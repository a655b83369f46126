import { Inject, Injectable } from '@nestjs/common';
import { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { CostServiceServer, EntityKind, entityProblem, GetWorkloadCostRequest, WorkloadCost } from '@prescient/contracts';
import { GrpcStatus, grpcError, JsonLogger } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { CostStore } from './cost-store.service';

/** gRPC `CostService.GetWorkloadCost`: the workload's latest stored price, within the request's tenant. */
@Injectable()
export class CostGrpc {
  private readonly calls;

  constructor(
    private readonly store: CostStore,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.calls = metrics.counter('grpc_get_workload_cost_requests_total', 'GetWorkloadCost RPCs by status', ['code']);
  }

  readonly implementation: CostServiceServer = {
    getWorkloadCost: (call: ServerUnaryCall<GetWorkloadCostRequest, WorkloadCost>, callback: sendUnaryData<WorkloadCost>) => {
      this.getWorkloadCost(call.request).then(
        (cost) => {
          this.calls.inc({ code: 'OK' });
          callback(null, cost);
        },
        (error: Error & { code?: GrpcStatus }) => {
          const code = error.code ?? GrpcStatus.INTERNAL;
          this.calls.inc({ code: GrpcStatus[code] });
          if (code === GrpcStatus.INTERNAL) this.logger.error(`GetWorkloadCost failed: ${error.message}`, 'CostGrpc');
          callback(code === GrpcStatus.INTERNAL ? grpcError(code, 'internal error') : error);
        },
      );
    },
  };

  async getWorkloadCost(request: GetWorkloadCostRequest): Promise<WorkloadCost> {
    const problem = entityProblem(request.entity);
    if (problem) throw grpcError(GrpcStatus.INVALID_ARGUMENT, problem);
    const entity = request.entity!;
    if (entity.kind !== EntityKind.ENTITY_KIND_WORKLOAD) {
      throw grpcError(GrpcStatus.INVALID_ARGUMENT, `cost is priced per workload; entity.kind ${EntityKind[entity.kind] ?? entity.kind} is not ENTITY_KIND_WORKLOAD`);
    }
    const stored = await this.store.find(entity);
    if (!stored) {
      throw grpcError(GrpcStatus.NOT_FOUND, `workload ${entity.workloadKind}/${entity.name} in ${entity.cluster}/${entity.namespace} has not been priced yet (no recommendation for it has arrived)`);
    }
    return stored.cost;
  }
}
