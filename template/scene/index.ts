export * from './program-scene.ts';
export * from './picture-layers.ts';
export * from './tween.ts';
export * from './view-state.ts';
