export * from './state.ts';
export * from './commands.ts';
export * from './reducer.ts';
export * from './initial-state.ts';
export * from './timing.ts';
export * from './test-sources.ts';
export * from './validate.ts';
export * from './wire.ts';
