// The program's latest meter reading per event, as the output renderer (the built-in recorder's page, or
// Egress's) reported it: relayed to the director, the graphics desk and obs-websocket's InputVolumeMeters.
import fp from 'fastify-plugin';
import { AudioMeterBoard } from '../../services/audio-meter-board.ts';

declare module 'fastify' {
  interface FastifyInstance {
    audioMeters: AudioMeterBoard;
  }
}

export const audioMetersPlugin = fp(
  async (app) => {
    const audioMeters = new AudioMeterBoard(app.realtime);
    app.decorate('audioMeters', audioMeters);
    app.addHook('onClose', () => {
      audioMeters.close();
    });
  },
  { name: 'pitchside-audio-meters', dependencies: ['pitchside-realtime'] },
);
