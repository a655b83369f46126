export * from './forecast';
export * from './series';
export * from './seasonal-naive';
export { forecastPrescient, predictPrescient, prescientForecaster, UNDER_FORECAST_WEIGHT, type NativeForecast, type PredictOptions, type Flag } from './prescient';
export { mean, quantileOfSorted, sortedCopy } from './stats';
