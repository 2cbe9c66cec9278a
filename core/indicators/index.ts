/**
 * Technical indicators: batch functions over Float64Array columns and their streaming forms, and the registry.
 * Candlestick patterns live in `./patterns` (import it directly: it loads `technicalindicators`).
 */
export * from './types';
export * from './moving-averages';
export * from './rsi';
export * from './volatility';
export * from './adx';
export * from './oscillators';
export * from './macd';
export * from './volume';
export * from './ichimoku';
export * from './registry';
export * from './window';
