export * from './template-query.ts';
export * from './logger.ts';
