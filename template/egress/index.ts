export * from './egress-layout.ts';
export * from './egress-session.ts';
