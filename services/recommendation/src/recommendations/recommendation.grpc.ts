import { Injectable } from '@nestjs/common';
import { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { entityProblem, GetRecommendationRequest, Recommendation, RecommendationServiceServer } from '@prescient/contracts';
import { GrpcStatus, grpcError } from '@prescient/platform';
import { RecommendationStore } from './recommendation-store.service';

/** gRPC `RecommendationService.GetRecommendation`: the latest stored recommendation. */
@Injectable()
export class RecommendationGrpc {
  constructor(private readonly store: RecommendationStore) {}

  readonly implementation: RecommendationServiceServer = {
    getRecommendation: (call: ServerUnaryCall<GetRecommendationRequest, Recommendation>, callback: sendUnaryData<Recommendation>) => {
      const problem = entityProblem(call.request.entity);
      if (problem) return callback(grpcError(GrpcStatus.INVALID_ARGUMENT, problem));
      this.store.find(call.request.entity!).then(
        (found) => callback(found ? null : grpcError(GrpcStatus.NOT_FOUND, 'no recommendation for this workload yet'), found),
        () => callback(grpcError(GrpcStatus.UNAVAILABLE, 'recommendation store unavailable')),
      );
    },
  };
}
