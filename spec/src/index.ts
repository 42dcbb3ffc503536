export * from './environment-spec';
export * from './json-schema';
export * from './physical-names';
export * from './platform-access';
export * from './regions';
