// Meter readings as the output renderer's page sends them, for the relay and obs-websocket tests.
import type { AudioMeters, AudioRenderer } from '../../protocol/index.ts';
import type { FrameCollector } from './controller-helpers.ts';

/** A valid reading whose `at` tells readings apart. */
export function meterReading(at: number, sourceDb = -20): AudioMeters {
  return {
    at,
    master: {
      momentaryLufs: -16,
      shortTermLufs: -15,
      integratedLufs: -14.5,
      truePeakDbtp: -3,
      truePeakMaxDbtp: -1.2,
      channels: [
        { peakDb: -3, rmsDb: -12 },
        { peakDb: -4, rmsDb: -13 },
      ],
      gainReductionDb: -0.5,
    },
    sources: { 'camera-1': { peakDb: sourceDb, rmsDb: sourceDb - 6 }, 'camera-2': { peakDb: -120, rmsDb: -120 } },
  };
}

export function report(socket: FrameCollector, eventId: string, renderer: AudioRenderer, meters: AudioMeters): void {
  socket.socket.send(JSON.stringify({ type: 'audio.meters', eventId, renderer, meters }));
}
