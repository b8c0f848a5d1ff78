// The destination kind registry and the SRT kind's URLs: what the encoders get and what people see.
import { describe, expect, it } from 'vitest';
import {
  DESTINATION_KINDS,
  DestinationInputError,
  UnknownDestinationKind,
  destinationFromInput,
  destinationKind,
  destinationSecrets,
  maskSecrets,
  srtCallerUrl,
  type Destination,
} from '../../protocol/index.ts';

const PASSPHRASE = 'a b+c&d=e%f?#Secret';
const srt: Destination = {
  id: 'venue',
  kind: 'srt',
  serverUrl: 'srt://[2001:db8::5]:9000',
  streamKey: '#!::r=live/feed,m=publish',
  passphrase: PASSPHRASE,
};

describe('destination kinds', () => {
  it('knows only the registered kinds, whatever the prototype holds', () => {
    expect(DESTINATION_KINDS).toEqual(['youtube', 'twitch', 'rtmp', 'hls', 'srt']);
    for (const kind of ['ftp', 'constructor', '__proto__', 'toString', ''])
      expect(() => destinationKind(kind), kind).toThrow(UnknownDestinationKind);
    expect(() => destinationFromInput({ kind: 'ftp' as never }, 'x', undefined)).toThrow(
      expect.objectContaining({ field: '/kind' }),
    );
  });

  it('gives the encoder the SRT secrets URL-encoded, and shows them masked', () => {
    const url = new URL(srtCallerUrl(srt));
    expect(url.host).toBe('[2001:db8::5]:9000');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      mode: 'caller',
      streamid: srt.streamKey,
      passphrase: PASSPHRASE,
    });
    // Neither ffmpeg nor srtsink reads '+' as a space.
    expect(srtCallerUrl(srt)).not.toMatch(/passphrase=[^&]*\+/);
    const kind = destinationKind('srt');
    expect(kind.target(srt, 'cup')).toBe('srt://[2001:db8::5]:9000?mode=caller&streamid=****&passphrase=****');
    expect(kind.recorder(srt)).toEqual({ kind: 'srt', url: srtCallerUrl(srt) });
    expect(destinationSecrets([srt])).toEqual([srt.streamKey, PASSPHRASE]);
    const line = `Connection to ${srtCallerUrl(srt)} failed: I/O error`;
    expect(maskSecrets(line)).not.toContain(encodeURIComponent(PASSPHRASE));
    expect(maskSecrets(line, destinationSecrets([srt]))).toBe(
      'Connection to srt://[2001:db8::5]:9000?mode=caller&streamid=****&passphrase=**** failed: I/O error',
    );
  });

  it('each kind refuses what it cannot carry, naming the field inside the destination', () => {
    const refused: [Parameters<typeof destinationFromInput>[0], string][] = [
      [{ kind: 'srt', serverUrl: 'srt://host:9000/path' }, '/serverUrl'],
      [{ kind: 'srt', serverUrl: 'srt://host' }, '/serverUrl'],
      [{ kind: 'rtmp', serverUrl: 'srt://host:9000', streamKey: 'k' }, '/serverUrl'],
      [{ kind: 'youtube' }, '/streamKey'],
      [{ kind: 'hls', streamKey: 'k' }, '/streamKey'],
    ];
    for (const [input, field] of refused) {
      let error: unknown;
      try {
        destinationFromInput(input, 'x', undefined);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(input)).toBeInstanceOf(DestinationInputError);
      expect((error as DestinationInputError).field, JSON.stringify(input)).toBe(field);
    }
    expect(destinationFromInput({ kind: 'srt', serverUrl: 'srt://host:9000' }, 'x', undefined)).toEqual({
      id: 'x',
      kind: 'srt',
      serverUrl: 'srt://host:9000',
    });
  });
});
