export * from './forecast';
export * from './series';
export * from './seasonal-naive';
export { mean, quantileOfSorted, sortedCopy } from './stats';
