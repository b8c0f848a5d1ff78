// One chunk of a re-render as an ffmpeg filter graph: every span's pieces normalised to the output's size,
// rate and sample format, transitions blended with xfade (sound crossfaded with them: audio follows
// video, as in the template's mixer), and everything concatenated in order.
import type { FrameClock, Layer, ProgramSpan, SourceMedia, SubPiece } from './rerender-timeline.ts';
import { layerPieces } from './rerender-timeline.ts';

export const AUDIO_RATE = 48_000;

export interface ChunkGraph {
  /** The ISO files the graph reads (movie sources inside it). */
  files: string[];
  /** The filter_complex script; its outputs are [v] and [a]. */
  filter: string;
  /** Frames drawn as the slate (a camera on program without ISO). */
  slateFrames: number;
}

export interface GraphOptions {
  width: number;
  height: number;
  clock: FrameClock;
  media: SourceMedia;
  /** Whether an ISO file has a sound track (a camera without a microphone has none). */
  hasAudio: (file: string) => boolean;
}

/**
 * A path as a filter option value: escaped for the option parser (\\ ' :), then for the graph parser
 * (\\ ' [ ] , ;), as ffmpeg-filters(1) § Notes on filtergraph escaping describes.
 */
export function filterPath(path: string): string {
  const option = path.replace(/[\\':]/g, '\\$&');
  return option.replace(/[\\'[\],;]/g, '\\$&');
}

function hex(colour: string): string {
  return `0x${colour.replace('#', '')}`;
}

export function buildChunkGraph(spans: readonly ProgramSpan[], options: GraphOptions): ChunkGraph {
  const { width, height, clock } = options;
  const fps = clock.fps;
  const samples = (frames: number) => Math.round((frames * AUDIO_RATE) / fps);
  const files: string[] = [];
  const lines: string[] = [];
  let label = 0;
  let slateFrames = 0;
  const picture = `scale=${width}:${height},setsar=1,format=yuv420p`;
  const sound = `aresample=${AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo`;

  /** Filters one piece; returns its [video, audio] labels. */
  const piece = (p: SubPiece): [string, string] => {
    const n = label++;
    const v = `v${n}`;
    const a = `a${n}`;
    if (p.kind === 'colour') {
      if (p.slate) slateFrames += p.frames;
      lines.push(
        `color=c=${hex(p.colour)}:s=${width}x${height}:r=${fps},trim=end_frame=${p.frames},setsar=1,format=yuv420p[${v}]`,
      );
      const src =
        p.toneHz === null ? `anullsrc=r=${AUDIO_RATE}:cl=stereo` : `sine=f=${p.toneHz}:r=${AUDIO_RATE},${sound}`;
      lines.push(`${src},atrim=end_sample=${samples(p.frames)}[${a}]`);
      return [v, a];
    }
    files.push(p.file);
    // A movie source, not an ffmpeg input: it decodes only when the graph asks for its frames, so the
    // pieces waiting their turn in the concat hold nothing (as inputs, ffmpeg read every one of them ahead
    // and buffered the decoded frames: over a gigabyte for a 60 s chunk at 1080p).
    const withSound = p.sound && options.hasAudio(p.file);
    lines.push(
      `movie=filename=${filterPath(p.file)}:streams=${withSound ? 'dv+da' : 'dv'}[m${v}]${withSound ? `[m${a}]` : ''}`,
    );
    // The segment's first frame is at its stamped start: time from there, at the output's rate; a segment
    // whose media runs short of its stamps holds its last frame (and silence) to the end of its piece.
    lines.push(
      `[m${v}]setpts=PTS-STARTPTS${p.speed === 1 ? '' : `,setpts=PTS/${p.speed}`},fps=${fps},tpad=stop=-1:stop_mode=clone,` +
        (p.freeze
          ? `trim=start_frame=${p.mediaFrame}:end_frame=${p.mediaFrame + 1},tpad=stop=${p.frames - 1}:stop_mode=clone,`
          : `trim=start_frame=${p.mediaFrame}:end_frame=${p.mediaFrame + p.frames},`) +
        `setpts=PTS-STARTPTS,${picture}[${v}]`,
    );
    const from = samples(p.mediaFrame);
    lines.push(
      withSound
        ? `[m${a}]asetpts=PTS-STARTPTS,${sound},apad,atrim=start_sample=${from}:end_sample=${from + samples(p.frames)},asetpts=PTS-STARTPTS[${a}]`
        : `anullsrc=r=${AUDIO_RATE}:cl=stereo,atrim=end_sample=${samples(p.frames)}[${a}]`,
    );
    return [v, a];
  };

  /** A layer over frames [from, to) as one [video, audio] pair (its pieces concatenated). */
  const layer = (l: Layer, from: number, to: number): Array<[string, string]> =>
    layerPieces(l, from, to, clock, options.media).map(piece);

  const joined = (pairs: Array<[string, string]>): [string, string] => {
    if (pairs.length === 1) return pairs[0]!;
    const n = label++;
    // concat answers in microseconds; a piece is in frames. xfade refuses inputs of two time bases, so a
    // transition whose one side is joined from pieces and whose other side is one piece needs them equal.
    lines.push(
      `${pairs.map(([v, a]) => `[${v}][${a}]`).join('')}concat=n=${pairs.length}:v=1:a=1[j${n}][a${n}]`,
      `[j${n}]settb=1/${fps}[v${n}]`,
    );
    return [`v${n}`, `a${n}`];
  };

  const blend = (span: ProgramSpan & { kind: 'transition' }): [string, string] => {
    const [vo, ao] = joined(layer(span.out, span.from, span.to));
    const [vi, ai] = joined(layer(span.in, span.from, span.to));
    const n = label++;
    const seconds = ((span.to - span.from) / fps).toFixed(6);
    lines.push(`[${vo}][${vi}]xfade=transition=${span.blend}:duration=${seconds}:offset=0[v${n}]`);
    lines.push(`[${ao}]afade=t=out:d=${seconds}[ao${n}]`, `[${ai}]afade=t=in:d=${seconds}[ai${n}]`);
    lines.push(`[ao${n}][ai${n}]amix=inputs=2:normalize=0:duration=longest[a${n}]`);
    return [`v${n}`, `a${n}`];
  };

  const parts: Array<[string, string]> = [];
  for (const span of spans) {
    if (span.kind === 'plain') parts.push(...layer(span.layer, span.from, span.to));
    else parts.push(blend(span));
  }
  // Every piece has an exact frame and sample count, so the output's times are counted, not summed: the
  // concat filter starts a piece where the longer of its streams ended, which left a frame's gap now and
  // then (7 frames a minute), and takes would drift off their server times along a chunk.
  lines.push(
    `${parts.map(([v, a]) => `[${v}][${a}]`).join('')}concat=n=${parts.length}:v=1:a=1[vc][ac]`,
    `[vc]setpts=N/(${fps}*TB)[v]`,
    `[ac]asetpts=N/SR/TB[a]`,
  );
  return { files, filter: lines.join(';\n'), slateFrames };
}
