/** Technical indicators: batch functions over Float64Array columns and their streaming forms. */
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
export * from './patterns';
