export * from './packs';
export * from './report';
export * from './sep-pack';
export * from './suppressions';
export * from './suppressions-doc';
