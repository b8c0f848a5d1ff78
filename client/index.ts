export * from './realtime-client.ts';
export * from './server-clock.ts';
