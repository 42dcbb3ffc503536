export * from './environment-spec';
export * from './json-schema';
export * from './physical-names';
export * from './regions';
