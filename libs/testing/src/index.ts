export * from './infra/infrastructure';
export * from './infra/ports';
export * from './infra/paths';
export * from './kafka-probe';
export * from './remote-write';
export * from './service-process';
export * from './topics';
