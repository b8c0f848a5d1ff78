export * from './k-weighting.ts';
export * from './limiter-core.ts';
export * from './loudness.ts';
export * from './meter-core.ts';
export * from './source-level.ts';
export * from './true-peak.ts';
