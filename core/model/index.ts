export * from './result';
export * from './time';
export * from './bars';
export * from './explanation';
