export * from './source-feed.ts';
export * from './source-feeds.ts';
export * from './test-pattern-feed.ts';
export * from './video-feed.ts';
export * from './camera-slate.ts';
