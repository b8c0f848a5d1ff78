export * from './choose-renderer.ts';
