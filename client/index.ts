export * from './realtime-client.ts';
export * from './server-clock.ts';
export * from './direct-receiver.ts';
export * from './media-signals.ts';
export * from './camera-track-hub.ts';
