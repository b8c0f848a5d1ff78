// The one logger style: a process's root logger, children per component, and no secret in any line.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/logger.ts';

function sink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk.toString()), done()) });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger', () => {
  it('names the component of a child and honours the level', () => {
    const { stream, lines } = sink();
    const log = createLogger({ level: 'info', stream }).child({ component: 'output' });
    log.debug('not written');
    log.info({ eventId: 'cup' }, 'output worker started');
    expect(lines()).toEqual([
      expect.objectContaining({ component: 'output', eventId: 'cup', msg: 'output worker started' }),
    ]);
  });

  it('masks stream keys in messages, fields and errors, and redacts key fields', () => {
    const { stream, lines } = sink();
    const log = createLogger({ level: 'debug', stream });
    const url = 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop';
    log.warn({ err: new Error(`ffmpeg: could not open ${url}`), target: url, key: 'psdir_secret' }, `failed ${url}`);
    log.debug(`writing to ${url}?token=tok123`);
    const text = JSON.stringify(lines());
    expect(text).not.toContain('abcd-efgh-ijkl-mnop');
    expect(text).not.toContain('psdir_secret');
    expect(text).not.toContain('tok123');
    expect(lines()[0]).toMatchObject({ target: 'rtmp://a.rtmp.youtube.com/live2/****', key: '[redacted]' });
    expect((lines()[0]!.err as { message: string }).message).toContain('live2/****');
  });
});
