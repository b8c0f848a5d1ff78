export * from './state-store.ts';
export * from './server-clock.ts';
export * from './controller-link.ts';
