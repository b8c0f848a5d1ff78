export * from './frame-stats.ts';
export * from './frame-ticker.ts';
