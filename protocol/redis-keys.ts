// Every Redis key, pub/sub channel and BullMQ queue prefix Pitchside uses, from one prefix. The controller,
// the worker and the tools all build their names here, so two processes cannot disagree about a name, and
// a deployment (or a test) with its own prefix sees nothing of another's data on a shared Redis.
export const DEFAULT_KEY_PREFIX = 'pitchside:';

/** BullMQ queue names, inside the prefix's queue namespace (no ':' — BullMQ uses it as its key separator). */
export const PROGRAM_OUTPUT_QUEUE = 'program-output';
export const EXPORT_QUEUE = 'export';
/** Replay clip exports (a clip's ISO segments encoded to one MP4). */
export const CLIP_EXPORT_QUEUE = 'clip-export';
/** Re-renders of the program from the ISO recordings and the switch log. */
export const RERENDER_QUEUE = 'rerender';

/** Keys of one event's program output (written by the job client and the worker that owns the output). */
export interface OutputKeys {
  /** JSON OutputPlan: what the event's program output should be doing. */
  readonly plan: string;
  /** Pub/sub: a plan changed; the payload is its revision. */
  readonly planChanged: string;
  /** Held by the one worker running the event's output (token = job id + worker instance). */
  readonly lock: string;
  /** JSON: backend-owned facts a worker that takes over needs (egress ids, recording parts). */
  readonly session: string;
  /** Failed attempts of the event's output since its last stable run (see OutputWorker). */
  readonly failures: string;
  /** List of JSON RecordingNote, oldest first: finished recordings exports can be made from. */
  readonly recordings: string;
  /** Last JobStatusMessage per job type, for panels that connect later. */
  lastStatus(type: string): string;
}

export interface RedisKeys {
  readonly prefix: string;
  /** BullMQ `prefix` option of every queue and worker (BullMQ forbids ':' inside it). */
  readonly queuePrefix: string;
  /** Set of event ids. */
  events(): string;
  /** JSON of the stored event (destinations with keys). */
  event(eventId: string): string;
  /** Join code → event id. */
  joinCode(code: string): string;
  /** LiveKit room name → event id. */
  room(room: string): string;
  /** JSON ProgramState. */
  state(eventId: string): string;
  /** Stream: one entry per take. */
  switchLog(eventId: string): string;
  /** Stream: camera, output and error entries operators see. */
  eventLog(eventId: string): string;
  /** Stream: one entry per score or period change (game-log.ts), written with the state. */
  gameLog(eventId: string): string;
  /** Stream: the own player's viewer count and each sponsor's airtime, sampled (sponsor-report.ts). */
  sponsorAudience(eventId: string): string;
  /** Held for one sample interval by the process that samples it, so several controllers sample once. */
  sponsorAudienceLock(eventId: string): string;
  /** Stream: named chapter markers (CreateRecordChapter, the API) that VOD exports turn into chapters. */
  chapters(eventId: string): string;
  /** Hash camera id → JSON Camera. */
  cameras(eventId: string): string;
  /** Hash camera id → JSON CameraDevice: its page's lens report, apart so health writes never race it. */
  cameraDevices(eventId: string): string;
  /** Hash role → JSON { key, keyId, createdAt } for one event. */
  eventKeys(eventId: string): string;
  /** Hash camera id → JSON { hash, createdAt } of the camera's own key. */
  cameraKeys(eventId: string): string;
  /** Hash seat id → JSON Seat (commentary.ts). */
  commentarySeats(eventId: string): string;
  /** Set of the seat ids whose page has its event socket open (direct transport; routes/realtime.ts keeps it). */
  seatsOnline(eventId: string): string;
  /**
   * Hash seat id → JSON { key, hash, createdAt } of the seat's own key. Kept whole (unlike a camera's) so the
   * director can hand the seat's link out again.
   */
  seatKeys(eventId: string): string;
  /** JSON FeedConfig (data-feed.ts): the event's feed source, mapping and staleness. */
  feedConfig(eventId: string): string;
  /** Set of sha256(key) of every key issued for the event (so deleting it revokes them all). */
  eventKeyIndex(eventId: string): string;
  /** Hash sha256(key) → JSON { role, eventId, keyId, cameraId?, seatId? }. */
  keyLookup(): string;
  /** Pub/sub channel carrying KeyRevocation messages: every process closes the revoked keys' sockets. */
  revocationChannel(): string;
  /** Sorted set "connection|role" scored by last heartbeat. */
  presence(eventId: string): string;
  /** Pub/sub channel carrying every realtime frame of every event. */
  realtimeChannel(): string;
  /** Pub/sub channel of JobStatusMessage frames for one event (`*` gives the pattern for all events). */
  jobStatusChannel(eventId: string): string;
  /** Pub/sub channel of EgressUpdate frames (the controller forwards LiveKit's egress webhooks here). */
  egressUpdatesChannel(): string;
  output(eventId: string): OutputKeys;
  /** Sorted set of JSON IsoSegment scored by start (server ms): one camera's ISO recording index. */
  isoSegments(eventId: string, camera: string): string;
  /** Set of the cameras that have ISO segments. */
  isoCameras(eventId: string): string;
  /** Counter: the next ISO segment number of a camera. */
  isoSeq(eventId: string, camera: string): string;
  /**
   * Counter (expiring with its window): what `who` (`key:<keyId>` or `event:<id>`) uploaded of `kind`, in
   * `measure`, in fixed window number `window` (upload-quotas.ts).
   */
  uploadQuota(kind: string, measure: string, who: string, window: number): string;
  /** Hash clip id → JSON stored replay clip. */
  replayClips(eventId: string): string;
  /** Sorted set "eventId/clipId" of the pending replay clips, scored by the server time their wait ends. */
  replayPending(): string;
  /** Short lock (SET NX PX) held while one controller process makes a pending clip's media. */
  replaySettling(eventId: string, clipId: string): string;
  /** Stream of chat messages (trimmed to CHAT_MAX_ENTRIES). */
  chat(eventId: string): string;
  /** Hash: chat settings (slow mode). */
  chatSettings(eventId: string): string;
  /** Set of blocked chat sessions. */
  chatBlocked(eventId: string): string;
  /** Hash: address tag → when a session that posted from it was blocked (chat-service.ts). */
  chatBlockedAddresses(eventId: string): string;
  /** Counter (expiring) of one session's messages in the rate window, or its slow-mode hold. */
  chatLimit(eventId: string, session: string, kind: 'rate' | 'slow'): string;
  /** Short lock (SET NX PX) held while one export request counts the export queue and adds to it. */
  exportAdmission(): string;
  /** Hash graphic id → JSON OGrafGraphic: the OGraf graphics of one event, or of all (`eventId` null). */
  ografGraphics(eventId: string | null): string;
  /** Hash path → bytes: one stored OGraf package's files (the id is the package's hash). */
  ografFiles(graphicId: string): string;
  /** Set of the scopes (`event:<id>`, `all`) that list an OGraf package: its files go with the last. */
  ografRefs(graphicId: string): string;
}

export function createRedisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  const output = (id: string): OutputKeys => ({
    plan: `${prefix}output:${id}:plan`,
    planChanged: `${prefix}output:${id}:plan-changed`,
    lock: `${prefix}output:${id}:lock`,
    session: `${prefix}output:${id}:session`,
    failures: `${prefix}output:${id}:failures`,
    recordings: `${prefix}output:${id}:recordings`,
    lastStatus: (type) => `${prefix}output:${id}:status:${type}`,
  });
  return {
    prefix,
    queuePrefix: prefix.replace(/:+$/, '').replaceAll(':', '-') || 'pitchside',
    events: () => `${prefix}events`,
    event: (id) => `${prefix}event:${id}`,
    joinCode: (code) => `${prefix}code:${code}`,
    room: (room) => `${prefix}room:${room}`,
    state: (id) => `${prefix}event:${id}:state`,
    switchLog: (id) => `${prefix}event:${id}:switches`,
    eventLog: (id) => `${prefix}event:${id}:log`,
    gameLog: (id) => `${prefix}event:${id}:game`,
    chapters: (id) => `${prefix}event:${id}:chapters`,
    sponsorAudience: (id) => `${prefix}event:${id}:sponsor-audience`,
    sponsorAudienceLock: (id) => `${prefix}event:${id}:sponsor-audience:lock`,
    cameras: (id) => `${prefix}event:${id}:cameras`,
    cameraDevices: (id) => `${prefix}event:${id}:camera-devices`,
    eventKeys: (id) => `${prefix}event:${id}:keys`,
    cameraKeys: (id) => `${prefix}event:${id}:camera-keys`,
    commentarySeats: (id) => `${prefix}event:${id}:commentary`,
    seatsOnline: (id) => `${prefix}event:${id}:seats-online`,
    seatKeys: (id) => `${prefix}event:${id}:seat-keys`,
    feedConfig: (id) => `${prefix}event:${id}:feed`,
    eventKeyIndex: (id) => `${prefix}event:${id}:key-index`,
    keyLookup: () => `${prefix}keys`,
    revocationChannel: () => `${prefix}revocations`,
    presence: (id) => `${prefix}event:${id}:presence`,
    realtimeChannel: () => `${prefix}realtime`,
    jobStatusChannel: (id) => `${prefix}jobs:${id}`,
    egressUpdatesChannel: () => `${prefix}egress-updates`,
    exportAdmission: () => `${prefix}exports:admission`,
    output,
    isoSegments: (id, camera) => `${prefix}event:${id}:iso:${camera}`,
    isoCameras: (id) => `${prefix}event:${id}:iso-cameras`,
    isoSeq: (id, camera) => `${prefix}event:${id}:iso-seq:${camera}`,
    uploadQuota: (kind, measure, who, window) => `${prefix}quota:${kind}:${measure}:${who}:${window}`,
    replayClips: (id) => `${prefix}event:${id}:replay-clips`,
    replayPending: () => `${prefix}replay-pending`,
    replaySettling: (id, clip) => `${prefix}event:${id}:replay-settling:${clip}`,
    chat: (id) => `${prefix}event:${id}:chat`,
    chatSettings: (id) => `${prefix}event:${id}:chat-settings`,
    chatBlocked: (id) => `${prefix}event:${id}:chat-blocked`,
    chatBlockedAddresses: (id) => `${prefix}event:${id}:chat-blocked-addresses`,
    chatLimit: (id, session, kind) => `${prefix}event:${id}:chat-${kind}:${session}`,
    ografGraphics: (id) => (id === null ? `${prefix}ograf:graphics` : `${prefix}event:${id}:ograf-graphics`),
    ografFiles: (graphic) => `${prefix}ograf:files:${graphic}`,
    ografRefs: (graphic) => `${prefix}ograf:refs:${graphic}`,
  };
}
