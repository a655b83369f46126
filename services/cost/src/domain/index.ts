export * from './prices';
export * from './price';
export * from './recommendation-cost';
