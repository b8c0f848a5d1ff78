// Program output through LiveKit Egress: one RoomComposite egress that opens the Pitchside template
// (customBaseUrl) and encodes it to the event's RTMP destinations and/or a file. Destinations change live
// with UpdateStream; a recording asked for while only streaming gets its own file-only egress, and so does
// each destination whose kind asks for an egress of its own (protocol/destinations/): HLS segments into
// storage the controller serves, an SRT stream (Egress cannot add a segment output to a running egress,
// and takes one stream protocol per egress).
import {
  EgressClient,
  EncodedFileOutput,
  EncodedFileType,
  EncodingOptions,
  EncodingOptionsPreset,
  SegmentedFileOutput,
  SegmentedFileProtocol,
  StreamOutput,
  StreamProtocol,
  type EncodedOutputs,
  type EgressInfo,
} from 'livekit-server-sdk';
import type { Redis } from 'ioredis';
import {
  EgressUpdateSchema,
  HLS_EGRESS_FULL_PLAYLIST,
  HLS_PLAYLIST,
  HLS_EGRESS_SEGMENT_PREFIX,
  HLS_SEGMENT_SECONDS,
  assertValid,
  hlsDestinationPath,
  eventRoom,
  destinationSecrets,
  maskSecrets,
  type Destination,
  type EgressTarget,
  type OutputBackendKind,
  type OutputPlan,
  type OutputReport,
  type OutputState,
  type VideoFormat,
} from '../protocol/index.ts';
import { templatePageUrl } from './template-url.ts';
import { egressUpdateFromInfo, type EgressUpdate } from '../outputs/egress-updates.ts';
import {
  destinationKindOf,
  destinationReport,
  type OutputBackend,
  type OutputSession,
  type OutputSessionHooks,
  type OutputSessionResult,
} from './output-backend.ts';
import { readSessionRecord, writeSessionRecord } from './session-record.ts';
import { errorMessage } from '../runtime/logger.ts';

export interface EgressBackendOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Egress filepath template for recordings (Egress expands {room_name}, {time}). */
  filepath?: string;
  /** Record HLS segments (SegmentedFileOutput) instead of one MP4. */
  segmented?: boolean;
  layout?: string;
  /**
   * Where Egress writes HLS destinations, as Egress sees it: the controller serves the same directory
   * (`<data dir>/hls`, shared with the Egress container). Default: `hls` relative to Egress's working dir.
   */
  hlsDir?: string;
}

export const DEFAULT_RECORDING_FILEPATH = 'recordings/{room_name}-{time}.mp4';
export const DEFAULT_LAYOUT = 'pitchside';

/** The presets Egress knows; any other format is sent as explicit EncodingOptions. */
const PRESETS: Record<string, EncodingOptionsPreset> = {
  '1280x720@30': EncodingOptionsPreset.H264_720P_30,
  '1280x720@60': EncodingOptionsPreset.H264_720P_60,
  '1920x1080@30': EncodingOptionsPreset.H264_1080P_30,
  '1920x1080@60': EncodingOptionsPreset.H264_1080P_60,
};
/** Bits per pixel per frame for formats without a preset: 1080p30 at 4500 kbps is ~0.072. */
const BITS_PER_PIXEL = 0.072;

export function encodingFor(video: VideoFormat): EncodingOptionsPreset | EncodingOptions {
  const preset = PRESETS[`${video.width}x${video.height}@${video.fps}`];
  if (preset !== undefined) return preset;
  return new EncodingOptions({
    width: video.width,
    height: video.height,
    framerate: video.fps,
    videoBitrate: Math.round((video.width * video.height * video.fps * BITS_PER_PIXEL) / 1000),
    audioBitrate: 128,
    audioFrequency: 48000,
  });
}

/** What a worker taking over needs: the egresses it must adopt and the URLs each pushes to. */
interface EgressRecord {
  streamEgressId: string | null;
  fileEgressId: string | null;
  /** Destination id → full URL currently on the stream egress (needed to remove it later). */
  streaming: Record<string, string>;
  /** Destination id → the egress of its own (HLS segments, an SRT stream) and what it was started for. */
  own?: Record<string, OwnEgress>;
  /** Written by workers before `own`: HLS destination id → its segments egress. */
  hls?: Record<string, string>;
}

/** Records written before `own`: their HLS segment egresses, adopted as the same targets. */
function storedHls(hls: Record<string, string> | undefined): Record<string, OwnEgress> {
  const target = JSON.stringify({ kind: 'hls-segments' } satisfies EgressTarget);
  return Object.fromEntries(Object.entries(hls ?? {}).map(([id, egressId]) => [id, { egressId, target }]));
}

interface OwnEgress {
  egressId: string;
  /** The destination's EgressTarget as JSON (secrets included, like `streaming`): a change restarts it. */
  target: string;
}

/** The shared stream egress's URL of a destination whose kind rides on it, else null. */
function sharedStreamUrl(d: Destination): string | null {
  const target = destinationKindOf(d).egress(d);
  return target.kind === 'rtmp-stream' ? target.url : null;
}

/** The egress target of a destination that has an egress of its own, else null. */
function ownTarget(d: Destination): Exclude<EgressTarget, { kind: 'rtmp-stream' }> | null {
  const target = destinationKindOf(d).egress(d);
  return target.kind === 'rtmp-stream' ? null : target;
}

function ownEgressIds(record: EgressRecord): string[] {
  return Object.values(record.own ?? {}).map((o) => o.egressId);
}

const ENDED = new Set(['EGRESS_COMPLETE', 'EGRESS_FAILED', 'EGRESS_ABORTED', 'EGRESS_LIMIT_REACHED']);

export class EgressBackend implements OutputBackend {
  readonly kind: OutputBackendKind = 'egress';
  readonly client: EgressClient;

  constructor(readonly options: EgressBackendOptions) {
    this.client = new EgressClient(options.url, options.apiKey, options.apiSecret);
  }

  async open(plan: OutputPlan, hooks: OutputSessionHooks): Promise<OutputSession> {
    const session = new EgressSession(this, plan, hooks);
    await session.start();
    await session.apply(plan);
    return session;
  }
}

class EgressSession implements OutputSession {
  #record: EgressRecord = { streamEgressId: null, fileEgressId: null, streaming: {} };
  #plan: OutputPlan;
  #subscriber: Redis | null = null;
  readonly #status = new Map<string, { state: OutputState; error?: string }>();
  #startedAtMs: number | null = null;
  readonly #files: string[] = [];
  #stopping = false;
  readonly #room: string;

  constructor(
    private readonly backend: EgressBackend,
    plan: OutputPlan,
    private readonly hooks: OutputSessionHooks,
  ) {
    this.#plan = plan;
    this.#room = eventRoom(plan.eventId);
  }

  /** Subscribes to egress updates and adopts the egresses a previous worker left running. */
  async start(): Promise<void> {
    this.#subscriber = this.hooks.redis.duplicate();
    this.#subscriber.on('message', (_channel, message: string) => this.#onMessage(message));
    await this.#subscriber.subscribe(this.hooks.keys.egressUpdatesChannel());
    const stored = await readSessionRecord<EgressRecord>(this.hooks.redis, this.hooks.keys, this.#plan.eventId);
    const active = new Set(
      (await this.backend.client.listEgress({ roomName: this.#room, active: true })).map((e) => e.egressId),
    );
    const keep = (id: string | null | undefined): string | null => (id && active.has(id) ? id : null);
    this.#record = {
      streamEgressId: keep(stored.streamEgressId),
      fileEgressId: keep(stored.fileEgressId),
      streaming: keep(stored.streamEgressId) ? (stored.streaming ?? {}) : {},
      own: Object.fromEntries(
        Object.entries({ ...storedHls(stored.hls), ...stored.own }).filter(([, o]) => keep(o.egressId) !== null),
      ),
    };
    const adopted = [this.#record.streamEgressId, this.#record.fileEgressId, ...ownEgressIds(this.#record)].filter(
      (id) => id !== null,
    );
    if (adopted.length > 0)
      this.hooks.log.info({ eventId: this.#plan.eventId, egresses: adopted }, 'adopted running egresses');
    // An egress running in the room that no record names was started by a worker that died before it
    // could write the record: it would be a second program output, so it goes.
    for (const orphan of [...active].filter((id) => !adopted.includes(id))) {
      this.hooks.log.warn({ eventId: this.#plan.eventId, egressId: orphan }, 'stopping an orphaned egress');
      await this.#stopEgress(orphan);
    }
  }

  async apply(plan: OutputPlan): Promise<void> {
    this.#plan = plan;
    const client = this.backend.client;
    const want = new Map(
      plan.destinations.flatMap((d) => {
        const url = sharedStreamUrl(d);
        return url === null ? [] : [[d.id, url] as const];
      }),
    );
    const rec = this.#record;
    await this.#applyOwn(plan);

    if (!plan.record && rec.fileEgressId !== null && rec.fileEgressId !== rec.streamEgressId) {
      await this.#stopEgress(rec.fileEgressId);
      rec.fileEgressId = null;
    } else if (!plan.record && rec.fileEgressId !== null) {
      // The file rides on the stream egress: replace that egress by a stream-only one (a short blink on
      // the destinations; Egress cannot drop a file output from a running egress).
      const old = rec.fileEgressId;
      rec.fileEgressId = rec.streamEgressId = null;
      rec.streaming = {};
      await this.#stopEgress(old);
    }

    if (plan.record && rec.fileEgressId === null) {
      const withStream = rec.streamEgressId === null && want.size > 0;
      const info = await this.#startEgress({ file: true, urls: withStream ? [...want.values()] : [] });
      rec.fileEgressId = info.egressId;
      if (withStream) {
        rec.streamEgressId = info.egressId;
        rec.streaming = Object.fromEntries(want);
      }
    }

    if (rec.streamEgressId === null && want.size > 0) {
      const info = await this.#startEgress({ file: false, urls: [...want.values()] });
      rec.streamEgressId = info.egressId;
      rec.streaming = Object.fromEntries(want);
    } else if (rec.streamEgressId !== null) {
      const current = new Map(Object.entries(rec.streaming));
      const add = [...want].filter(([id, url]) => current.get(id) !== url).map(([, url]) => url);
      const remove = [...current].filter(([id, url]) => want.get(id) !== url).map(([, url]) => url);
      if (want.size === 0 && rec.streamEgressId !== rec.fileEgressId) {
        await this.#stopEgress(rec.streamEgressId);
        rec.streamEgressId = null;
      } else if (add.length > 0 || remove.length > 0) {
        await client.updateStream(rec.streamEgressId, add, remove);
      }
      rec.streaming = Object.fromEntries(want);
    }
    const planned = new Set(plan.destinations.map((d) => d.id));
    for (const id of this.#status.keys()) if (id !== 'recording' && !planned.has(id)) this.#status.delete(id);
    await writeSessionRecord(this.hooks.redis, this.hooks.keys, plan.eventId, rec);
    this.hooks.onChange();
  }

  outputs(): OutputReport[] {
    const reports: OutputReport[] = [];
    const state = (id: string, running: boolean) =>
      this.#status.get(id) ?? { state: running ? ('starting' as const) : ('stopped' as const) };
    if (this.#plan.record || this.#record.fileEgressId !== null) {
      reports.push({
        id: 'recording',
        kind: 'recording',
        label: 'Recording',
        target: this.#files.at(-1) ?? this.backend.options.filepath ?? DEFAULT_RECORDING_FILEPATH,
        ...state('recording', this.#record.fileEgressId !== null),
      });
    }
    for (const d of this.#plan.destinations)
      reports.push({
        ...destinationReport(d, this.#plan.eventId),
        ...state(d.id, d.id in this.#record.streaming || d.id in (this.#record.own ?? {})),
      });
    return reports;
  }

  recordingStartedAt(): number | null {
    return this.#startedAtMs;
  }

  async stop(): Promise<OutputSessionResult> {
    this.#stopping = true;
    const ids = new Set(
      [this.#record.streamEgressId, this.#record.fileEgressId, ...ownEgressIds(this.#record)].filter(
        (id): id is string => id !== null,
      ),
    );
    for (const id of ids) {
      const info = await this.#stopEgress(id);
      if (info !== null) this.#files.push(...egressUpdateFromInfo(info).files);
    }
    const outputs = this.outputs().map((o) => ({ ...o, state: 'stopped' as const }));
    this.#record = { streamEgressId: null, fileEgressId: null, streaming: {}, own: {} };
    await this.detach();
    return { recordings: [...new Set(this.#files)], recordingStartedAt: this.#startedAtMs, outputs };
  }

  async detach(): Promise<void> {
    this.#subscriber?.disconnect();
    this.#subscriber = null;
  }

  /** One egress per destination whose kind asks for its own, started, restarted and stopped with the plan. */
  async #applyOwn(plan: OutputPlan): Promise<void> {
    const running = (this.#record.own ??= {});
    const want = new Map(
      plan.destinations.flatMap((d) => {
        const target = ownTarget(d);
        return target === null ? [] : [[d.id, target] as const];
      }),
    );
    for (const [id, own] of Object.entries(running)) {
      if (want.has(id) && JSON.stringify(want.get(id)) === own.target) continue;
      await this.#stopEgress(own.egressId);
      delete running[id];
    }
    for (const [id, target] of want) {
      if (running[id] !== undefined) continue;
      const info =
        target.kind === 'srt-stream'
          ? await this.#startEgress({ file: false, urls: [target.url], protocol: StreamProtocol.SRT })
          : await this.#startEgress({ file: false, urls: [], segments: this.#hlsSegments(plan.eventId, id) });
      running[id] = { egressId: info.egressId, target: JSON.stringify(target) };
      // Written at once: a worker killed before the plan's record is written must not orphan it.
      await writeSessionRecord(this.hooks.redis, this.hooks.keys, plan.eventId, this.#record);
    }
  }

  #hlsSegments(eventId: string, destinationId: string): SegmentedFileOutput {
    const prefix = `${this.backend.options.hlsDir ?? 'hls'}/${hlsDestinationPath(eventId, destinationId)}`;
    return new SegmentedFileOutput({
      protocol: SegmentedFileProtocol.HLS_PROTOCOL,
      filenamePrefix: `${prefix}/${HLS_EGRESS_SEGMENT_PREFIX}`,
      playlistName: `${prefix}/${HLS_EGRESS_FULL_PLAYLIST}`,
      livePlaylistName: `${prefix}/${HLS_PLAYLIST}`,
      segmentDuration: HLS_SEGMENT_SECONDS,
    });
  }

  async #startEgress({
    file,
    urls,
    segments,
    protocol = StreamProtocol.RTMP,
  }: {
    file: boolean;
    urls: string[];
    segments?: SegmentedFileOutput;
    protocol?: StreamProtocol;
  }): Promise<EgressInfo> {
    const outputs: EncodedOutputs = {};
    if (segments !== undefined) outputs.segments = segments;
    if (urls.length > 0) outputs.stream = new StreamOutput({ protocol, urls });
    if (file && this.backend.options.segmented) {
      outputs.segments = new SegmentedFileOutput({
        protocol: SegmentedFileProtocol.HLS_PROTOCOL,
        filenamePrefix: (this.backend.options.filepath ?? DEFAULT_RECORDING_FILEPATH).replace(/\.mp4$/, ''),
        playlistName: 'index.m3u8',
        segmentDuration: 6,
      });
    } else if (file) {
      outputs.file = new EncodedFileOutput({
        fileType: EncodedFileType.MP4,
        filepath: this.backend.options.filepath ?? DEFAULT_RECORDING_FILEPATH,
      });
    }
    try {
      const info = await this.backend.client.startRoomCompositeEgress(this.#room, outputs, {
        layout: this.backend.options.layout ?? DEFAULT_LAYOUT,
        encodingOptions: encodingFor(this.#plan.video),
        customBaseUrl: templatePageUrl(this.#plan),
      });
      this.hooks.log.info(
        {
          eventId: this.#plan.eventId,
          egressId: info.egressId,
          file,
          hls: segments !== undefined,
          streams: urls.length,
          protocol: StreamProtocol[protocol],
        },
        'egress started',
      );
      return info;
    } catch (error) {
      // The SDK's error may quote the request; keep keys out of what travels on.
      throw new Error(`egress did not start: ${errorMessage(error)}`, { cause: error });
    }
  }

  async #stopEgress(egressId: string): Promise<EgressInfo | null> {
    try {
      return await this.backend.client.stopEgress(egressId);
    } catch (error) {
      // Already ended (or unknown after a LiveKit restart): nothing left to stop.
      this.hooks.log.warn({ egressId, err: error }, 'stop egress failed');
      return null;
    }
  }

  /** Egress may quote a URL any way: every secret of the plan is masked as written, besides URL shapes. */
  #masked(text: string): string {
    return maskSecrets(text, destinationSecrets(this.#plan.destinations));
  }

  /** Anything can be published on the channel: what does not parse is logged and dropped. */
  #onMessage(message: string): void {
    let update: EgressUpdate;
    try {
      update = assertValid(EgressUpdateSchema, JSON.parse(message), 'egress update');
    } catch (error) {
      this.hooks.log.warn({ err: error }, 'unreadable egress update ignored');
      return;
    }
    this.#onUpdate(update);
  }

  #onUpdate(update: EgressUpdate): void {
    const rec = this.#record;
    const isStream = update.egressId === rec.streamEgressId;
    const isFile = update.egressId === rec.fileEgressId;
    const ownId = Object.entries(rec.own ?? {}).find(([, o]) => o.egressId === update.egressId)?.[0];
    if (!isStream && !isFile && ownId === undefined) return;
    if (isFile && update.startedAtMs !== null) this.#startedAtMs ??= update.startedAtMs;
    this.#files.push(...update.files.filter((f) => !this.#files.includes(f)));
    const ended = ENDED.has(update.status);
    const egressState: OutputState =
      update.status === 'EGRESS_ACTIVE'
        ? 'live'
        : ended
          ? update.status === 'EGRESS_COMPLETE'
            ? 'stopped'
            : 'failed'
          : 'starting';
    if (isFile)
      this.#status.set('recording', {
        state: egressState,
        ...(update.error ? { error: this.#masked(update.error) } : {}),
      });
    if (ownId !== undefined)
      this.#status.set(ownId, { state: egressState, ...(update.error ? { error: this.#masked(update.error) } : {}) });
    if (isStream) {
      // Egress may redact keys in stream results: match destinations by their masked URL.
      const byMasked = new Map(update.streams.map((s) => [maskSecrets(s.url), s]));
      for (const d of this.#plan.destinations) {
        const url = sharedStreamUrl(d);
        if (url === null) continue;
        const s = byMasked.get(maskSecrets(url));
        const state: OutputState =
          s === undefined
            ? egressState
            : s.status === 'ACTIVE'
              ? 'live'
              : s.status === 'FAILED'
                ? 'failed'
                : s.status === 'FINISHED'
                  ? 'stopped'
                  : 'starting';
        this.#status.set(d.id, { state, ...(s?.error ? { error: this.#masked(s.error) } : {}) });
      }
    }
    this.hooks.onChange();
    if (ended && !this.#stopping && update.status !== 'EGRESS_COMPLETE') {
      if (isStream) rec.streamEgressId = null;
      if (isFile) rec.fileEgressId = null;
      if (ownId !== undefined) delete rec.own?.[ownId];
      this.hooks.onFailure(
        new Error(
          `egress ${update.egressId} ${update.status.replace('EGRESS_', '').toLowerCase()}: ${this.#masked(update.error || 'no reason given')}`,
        ),
      );
    }
  }
}
