// Keeps one feed per source in the state: test patterns drawn in the page, test clips and media URLs in
// video elements, camera tracks (and commentary seats' microphones, sound only) matched by participant
// identity (source.participant, else its id) whichever transport brought them (a LiveKit room, or direct WebRTC from the camera page): both call handleTrack.
import { REPLAY_SOURCE_ID, testSourceNumber, type Source, type SourceId } from '../../protocol/index.ts';
import { createLogger } from '../config/logger.ts';
import { CameraFeed, CameraSlate } from './camera-slate.ts';
import { ReplayFeed } from './replay-feed.ts';
import type { SourceFeed } from './source-feed.ts';
import { SoundFeed } from './sound-feed.ts';
import { createTestTone, TestPatternFeed } from './test-pattern-feed.ts';
import { createVideoElement, VideoFeed } from './video-feed.ts';

const log = createLogger('sources');

export interface SourceFeedsOptions {
  audioContext: AudioContext;
  testSources: 'canvas' | 'video';
  /** Base URL of camera-N.mp4 when test sources are played as video. */
  testMedia: string;
  /** Told when a source's sound appears, changes or goes (null). */
  onAudio: (source: SourceId, node: AudioNode | null) => void;
  /** URL of a replay clip's media file. */
  replayMediaUrl: (file: string) => string;
}

interface ParticipantTracks {
  video: MediaStreamTrack | null;
  audio: MediaStreamTrack | null;
}

export class SourceFeeds {
  readonly #options: SourceFeedsOptions;
  readonly #feeds = new Map<SourceId, { source: Source; feed: SourceFeed | null }>();
  readonly #tracks = new Map<string, ParticipantTracks>();
  /** Cameras that had a picture in this page: their slate says "lost" rather than "waiting". */
  readonly #seen = new Set<string>();

  /** Set once the renderer is known: the canvas renderer draws video from per-frame RGB copies. */
  copyFrames = false;

  /** The replay source (REPLAY_SOURCE_ID): synced to the state's replay every frame by the page. */
  readonly replay: ReplayFeed;

  constructor(options: SourceFeedsOptions) {
    this.#options = options;
    this.replay = new ReplayFeed({ mediaUrl: options.replayMediaUrl, copyFrames: () => this.copyFrames });
  }

  readonly #copyFrames = (): boolean => this.copyFrames;

  get(id: SourceId): SourceFeed | null {
    if (id === REPLAY_SOURCE_ID) {
      // Until the clip shows its frame, the live source it left stands in (never black).
      const standIn = this.replay.standIn;
      return standIn === null ? this.replay : (this.#feeds.get(standIn)?.feed ?? this.replay);
    }
    return this.#feeds.get(id)?.feed ?? null;
  }

  /** Bring the feeds in line with the state's sources (called on every applied state). */
  sync(sources: readonly Source[]): void {
    const wanted = new Map(sources.map((s) => [s.id, s]));
    for (const [id, entry] of this.#feeds) {
      const next = wanted.get(id);
      if (next === undefined || !sameOrigin(next, entry.source)) this.#drop(id);
      else if (entry.feed instanceof TestPatternFeed) entry.feed.label = next.label;
    }
    for (const source of sources) if (!this.#feeds.has(source.id)) this.#create(source);
  }

  /** A camera's track arrived (LiveKit subscription or direct peer connection) or went away (null). */
  handleTrack(identity: string, kind: 'video' | 'audio', track: MediaStreamTrack | null): void {
    const tracks = this.#tracks.get(identity) ?? { video: null, audio: null };
    if (tracks[kind] === track) return;
    tracks[kind] = track;
    if (kind === 'video' && track !== null) this.#seen.add(identity);
    this.#tracks.set(identity, tracks);
    // Collected first: rebuilding re-inserts the entry, which a live Map iteration would visit again.
    const affected = [...this.#feeds.values()].filter(
      (e) => (e.source.kind === 'livekit' || e.source.kind === 'commentary') && participantOf(e.source) === identity,
    );
    for (const { source } of affected) {
      this.#drop(source.id);
      this.#create(source);
    }
  }

  close(): void {
    for (const id of [...this.#feeds.keys()]) this.#drop(id);
    this.replay.close();
  }

  #drop(id: SourceId): void {
    const entry = this.#feeds.get(id);
    if (entry === undefined) return;
    // Out of the mix first: closing the feed disconnects its audio node, which the mixer would then fail to.
    this.#options.onAudio(id, null);
    entry.feed?.close();
    this.#feeds.delete(id);
  }

  #create(source: Source): void {
    const feed = this.#createFeed(source);
    this.#feeds.set(source.id, { source, feed });
    this.#options.onAudio(source.id, feed?.audio ?? null);
  }

  #createFeed(source: Source): SourceFeed | null {
    const context = this.#options.audioContext;
    switch (source.kind) {
      case 'test': {
        const n = testSourceNumber(source.id);
        if (n === null) {
          log.warn(`test source "${source.id}" is not camera-1..camera-8: shown as black`);
          return null;
        }
        if (this.#options.testSources === 'canvas')
          return new TestPatternFeed({ number: n, label: source.label, audioContext: context });
        const video = createVideoElement();
        video.loop = true;
        video.src = new URL(`camera-${n}.mp4`, new URL(this.#options.testMedia, location.href)).href;
        startPlaying(video, source.id);
        const tone = createTestTone(context, n);
        return new VideoFeed({
          video,
          audio: tone.output,
          onClose: () => tone.oscillator.stop(),
          copyFrames: this.#copyFrames,
        });
      }
      case 'media': {
        if (source.url === undefined) return null;
        const video = createVideoElement();
        video.loop = true;
        video.muted = false;
        video.src = source.url;
        startPlaying(video, source.id);
        // The element's sound goes only into the program mix, never straight to the speakers.
        const audio = context.createMediaElementSource(video);
        return new VideoFeed({
          video,
          audio,
          onClose: () => video.removeAttribute('src'),
          copyFrames: this.#copyFrames,
        });
      }
      case 'livekit': {
        const participant = participantOf(source);
        const tracks = this.#tracks.get(participant);
        const slate = new CameraSlate({ label: source.label, lost: this.#seen.has(participant) });
        if (tracks === undefined || tracks.video === null) return slate;
        const video = createVideoElement();
        video.srcObject = new MediaStream([tracks.video]);
        startPlaying(video, source.id);
        const audio = tracks.audio === null ? null : remoteAudioNode(context, tracks.audio);
        const feed = new VideoFeed({
          video,
          audio: audio?.node ?? null,
          onClose: () => audio?.release(),
          copyFrames: this.#copyFrames,
        });
        return new CameraFeed(feed, slate);
      }
      case 'commentary': {
        // Silent until the seat's microphone arrives (its page joined and some transport brought the track).
        const track = this.#tracks.get(participantOf(source))?.audio ?? null;
        if (track === null) return null;
        const audio = remoteAudioNode(context, track);
        return new SoundFeed(audio.node, audio.release);
      }
    }
  }
}

function startPlaying(video: HTMLVideoElement, id: SourceId): void {
  video.play().catch((error: unknown) => log.warn(`source ${id} did not start playing`, error));
}

function participantOf(source: Source): string {
  return source.participant ?? source.id;
}

/** A source changed what it plays from (kind, participant or URL): its feed is rebuilt. */
function sameOrigin(a: Source, b: Source): boolean {
  return a.kind === b.kind && a.participant === b.participant && a.url === b.url;
}

/**
 * Chromium delivers a remote WebRTC track into Web Audio only while some media element also plays it
 * (crbug.com/933677), so a muted element holds the stream.
 */
function remoteAudioNode(context: AudioContext, track: MediaStreamTrack): { node: AudioNode; release: () => void } {
  const stream = new MediaStream([track]);
  const holder = new Audio();
  holder.muted = true;
  holder.srcObject = stream;
  void holder.play().catch(() => undefined);
  const node = context.createMediaStreamSource(stream);
  return { node, release: () => ((holder.srcObject = null), node.disconnect()) };
}
