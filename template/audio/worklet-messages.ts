// What the mixer's main thread and its worklet processors say to each other over their ports.

export const PROCESSOR = {
  limiter: 'pitchside-limiter',
  meter: 'pitchside-meter',
  sourceMeter: 'pitchside-source-meter',
} as const;

/** Main thread → limiter: its settings (the limiter → main thread answer is its lowest gain, a number). */
export interface LimiterMessage {
  ceilingDbtp: number;
  on: boolean;
}

/** A limiter's processorOptions: its settings, and whether it reports its gain (nobody reads the second's). */
export interface LimiterProcessorOptions extends LimiterMessage {
  report: boolean;
}

/** Source meter → main thread. (Main thread → source meter: the duck threshold in dBFS, or null.) */
export type SourceMeterMessage = { kind: 'level'; peak: number; rms: number } | { kind: 'speaking'; speaking: boolean };
