/** Technical indicators: batch functions over Float64Array columns and their streaming forms. */
export * from './types';
export * from './moving-averages';
export * from './rsi';
