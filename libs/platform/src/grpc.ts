import { Server, ServerCredentials, ServiceDefinition, UntypedServiceImplementation, status, ServiceError, Metadata } from '@grpc/grpc-js';

export interface GrpcService {
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/** Starts a gRPC server on `host:port` (0 = free port). Trace context is read from metadata by OTel's gRPC instrumentation. */
export async function startGrpcServer(services: GrpcService[], host: string, port: number): Promise<{ port: number; server: Server }> {
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  for (const s of services) server.addService(s.definition, s.implementation);
  const bound = await new Promise<number>((resolveBind, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolveBind(p))),
  );
  return { port: bound, server };
}

/** Finishes in-flight calls, refusing new ones; forces after `timeoutMs`. */
export function drainGrpcServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolveDrain) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolveDrain();
    }, timeoutMs);
    force.unref();
    server.tryShutdown(() => {
      clearTimeout(force);
      resolveDrain();
    });
  });
}

/** A gRPC error with a status code and a precise message (what the client shows its user). */
export function grpcError(code: status, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

export { status as GrpcStatus };
