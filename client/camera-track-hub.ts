// One page's camera tracks shared between its views: an operator page receives each camera once and its
// template iframes (program/preview/PiP monitors, same origin) take the tracks from it instead of opening
// connections of their own — one peer connection per camera per page, whatever the page shows.
import type { Source } from '../protocol/index.ts';
import type { TrackListener } from './direct-receiver.ts';

export interface CameraTrackSource {
  /** The listener gets every current track at once, then every change; returns the unsubscribe. */
  subscribe(listener: TrackListener): () => void;
}

declare global {
  interface Window {
    /** Set by an operator page that receives cameras itself, for its template iframes. */
    pitchsideCameras?: CameraTrackSource;
  }
}

export class CameraTrackHub implements CameraTrackSource {
  readonly #tracks = new Map<string, { video: MediaStreamTrack | null; audio: MediaStreamTrack | null }>();
  readonly #listeners = new Set<TrackListener>();

  readonly handleTrack: TrackListener = (camera, kind, track) => {
    const tracks = this.#tracks.get(camera) ?? { video: null, audio: null };
    tracks[kind] = track;
    this.#tracks.set(camera, tracks);
    for (const listener of this.#listeners) listener(camera, kind, track);
  };

  track(camera: string, kind: 'video' | 'audio'): MediaStreamTrack | null {
    return this.#tracks.get(camera)?.[kind] ?? null;
  }

  subscribe(listener: TrackListener): () => void {
    this.#listeners.add(listener);
    for (const [camera, tracks] of this.#tracks) {
      if (tracks.video !== null) listener(camera, 'video', tracks.video);
      if (tracks.audio !== null) listener(camera, 'audio', tracks.audio);
    }
    return () => this.#listeners.delete(listener);
  }
}

/** The embedding operator page's cameras, when this page is its same-origin iframe. */
export function parentCameraTracks(): CameraTrackSource | null {
  if (window.parent === window) return null;
  try {
    return window.parent.pitchsideCameras ?? null;
  } catch {
    return null; // a cross-origin parent
  }
}

/** The participant ids of a state's camera and commentary seat sources: what a page receives. */
export function cameraParticipants(sources: readonly Source[]): string[] {
  return sources.filter((s) => s.kind === 'livekit' || s.kind === 'commentary').map((s) => s.participant ?? s.id);
}
