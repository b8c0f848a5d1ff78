// What the program picture is made of at one server time, as a list of layers painted bottom to top.
// Pure: the video layer draws it, the audio mixer takes its weights from it (audio follows video), and
// an interrupted take's frozen transition is just more layers underneath, so nothing jumps.
import { takeProgress, type SourceId, type TakeState, type Transition, type WipeFrom } from '../../protocol/index.ts';

/** A normalised clip rectangle inside the picture (0..1 on both axes). */
export interface Clip {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type PictureLayer =
  | { kind: 'source'; source: SourceId; alpha: number; clip: Clip | null }
  | { kind: 'colour'; colour: string; alpha: number };

const FULL: Clip = { x0: 0, y0: 0, x1: 1, y1: 1 };

/** The part of the frame a wipe from `from` has revealed at progress p. */
export function wipeClip(from: WipeFrom, p: number): Clip {
  switch (from) {
    case 'left':
      return { ...FULL, x1: p };
    case 'right':
      return { ...FULL, x0: 1 - p };
    case 'top':
      return { ...FULL, y1: p };
    case 'bottom':
      return { ...FULL, y0: 1 - p };
  }
}

function overlay(under: PictureLayer[], to: SourceId, transition: Transition, p: number): PictureLayer[] {
  // p is 0 only before a transition starts (a scheduled take): the outgoing picture alone, even for a cut.
  if (p <= 0) return under;
  if (p >= 1 || transition.type === 'cut') return [{ kind: 'source', source: to, alpha: 1, clip: null }];
  switch (transition.type) {
    case 'mix':
      return [...under, { kind: 'source', source: to, alpha: p, clip: null }];
    case 'wipe':
      return [...under, { kind: 'source', source: to, alpha: 1, clip: wipeClip(transition.from, p) }];
    case 'dip':
      // First half: the old picture into the colour; second half: out of the colour into the new one.
      return p < 0.5
        ? [...under, { kind: 'colour', colour: transition.colour, alpha: p * 2 }]
        : [
            { kind: 'source', source: to, alpha: 1, clip: null },
            { kind: 'colour', colour: transition.colour, alpha: (1 - p) * 2 },
          ];
  }
}

function sourceLayers(source: SourceId | null): PictureLayer[] {
  return source === null ? [] : [{ kind: 'source', source, alpha: 1, clip: null }];
}

/** The program picture: the last take (and what it interrupted), or the program source when no take ran. */
export function pictureLayers(program: SourceId | null, take: TakeState | null, serverNow: number): PictureLayer[] {
  if (take === null) return sourceLayers(program);
  const p = takeProgress(take, serverNow);
  const interrupted = take.interrupted;
  const outgoing =
    interrupted === null
      ? sourceLayers(take.from)
      : overlay(sourceLayers(interrupted.from), interrupted.to, interrupted.transition, interrupted.progress);
  return dropHidden(overlay(outgoing, take.to, take.transition, p));
}

function clipArea(clip: Clip | null): number {
  return clip === null ? 1 : Math.max(0, clip.x1 - clip.x0) * Math.max(0, clip.y1 - clip.y0);
}

/** Layers under an opaque full-frame layer cannot be seen: drop them so their sources are not drawn. */
function dropHidden(layers: PictureLayer[]): PictureLayer[] {
  let firstVisible = 0;
  layers.forEach((layer, i) => {
    const opaque = layer.alpha >= 1 && (layer.kind === 'colour' || clipArea(layer.clip) >= 1);
    if (opaque) firstVisible = i;
  });
  return layers
    .slice(firstVisible)
    .filter((layer) => layer.alpha > 0 && (layer.kind === 'colour' || clipArea(layer.clip) > 0));
}

/**
 * Each source's share of the picture (0..1, summing to at most 1): the audio gain that makes audio follow
 * video. A colour layer takes its share too, so a dip dips the sound.
 */
export function layerWeights(layers: PictureLayer[]): Map<SourceId, number> {
  const weights = new Map<SourceId, number>();
  let remaining = 1;
  for (let i = layers.length - 1; i >= 0 && remaining > 0; i -= 1) {
    const layer = layers[i];
    if (layer === undefined) continue;
    const cover = layer.alpha * (layer.kind === 'source' ? clipArea(layer.clip) : 1);
    if (layer.kind === 'source') weights.set(layer.source, (weights.get(layer.source) ?? 0) + cover * remaining);
    remaining *= 1 - cover;
  }
  return weights;
}
