export * from './program-audio.ts';
