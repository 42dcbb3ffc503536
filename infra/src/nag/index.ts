export * from './packs';
export * from './report';
export * from './suppressions';
export * from './suppressions-doc';
