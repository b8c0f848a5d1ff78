// Program state: the one shape every process agrees on. The controller owns it, the reducer alone
// changes it, the template and panels only read it.
import { oneLineText, plainText } from './user-text.ts';
import { Type, type Static } from '@sinclair/typebox';
import { AudioStateSchema } from './audio.ts';
import { LogoIdSchema } from './team-logo.ts';
import { FeedStateSchema } from './feed-state.ts';
import { SponsorStateSchema } from './sponsors.ts';
import { OGrafStateSchema } from './ograf.ts';

export const SourceIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
  description: 'Lower-case id: letters, digits, "-" and "_", at most 64 characters.',
});
export type SourceId = Static<typeof SourceIdSchema>;

export const ColourSchema = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'Colour as #rrggbb.' });
export type Colour = Static<typeof ColourSchema>;

/** Server time in milliseconds since the Unix epoch: every timestamp in the state is server time. */
export const ServerTimeSchema = Type.Number({ minimum: 0 });

/**
 * livekit: a camera (LiveKit or direct); test: a built-in pattern; media: a URL; commentary: a commentary
 * seat's microphone (commentary.ts), sound only.
 */
export const SourceKindSchema = Type.Union([
  Type.Literal('livekit'),
  Type.Literal('test'),
  Type.Literal('media'),
  Type.Literal('commentary'),
]);
export type SourceKind = Static<typeof SourceKindSchema>;

/** Kinds with sound and no picture: never a tile, never on program, preview or PiP. */
export const SOUND_ONLY_SOURCE_KINDS: readonly SourceKind[] = ['commentary'];

export function hasPicture(source: Pick<Source, 'kind'>): boolean {
  return !SOUND_ONLY_SOURCE_KINDS.includes(source.kind);
}

/** The sources that show a picture, in state order: what multiviews, switchers and layouts list. */
export function pictureSources<T extends Pick<Source, 'kind'>>(sources: readonly T[]): T[] {
  return sources.filter(hasPicture);
}

export const SourceSchema = Type.Object(
  {
    id: SourceIdSchema,
    label: oneLineText(64),
    kind: SourceKindSchema,
    /** livekit: the participant identity whose camera track this source shows; commentary: the seat id. */
    participant: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /**
     * media: a URL the template can play in a video element (http(s) only), with no `user:password@`:
     * program state reaches every role, so a login in it would be shown to all of them.
     */
    url: Type.Optional(Type.String({ pattern: '^https?://[^/?#@\\s]+([/?#]\\S*)?$', maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof SourceSchema>;

export const MAX_SOURCES = 16;
export const MAX_TRANSITION_MS = 5000;
/** How far ahead a take may be scheduled (`at`): enough to cue a switch on a beat, not to forget one. */
export const MAX_SCHEDULE_AHEAD_MS = 60_000;

export const TransitionTypeSchema = Type.Union([
  Type.Literal('cut'),
  Type.Literal('mix'),
  Type.Literal('wipe'),
  Type.Literal('dip'),
]);
export type TransitionType = Static<typeof TransitionTypeSchema>;

/** The side of the frame a wipe reveals the new source from. */
export const WipeFromSchema = Type.Union([
  Type.Literal('left'),
  Type.Literal('right'),
  Type.Literal('top'),
  Type.Literal('bottom'),
]);
export type WipeFrom = Static<typeof WipeFromSchema>;

export const TransitionSchema = Type.Object(
  {
    type: TransitionTypeSchema,
    durationMs: Type.Integer({ minimum: 0, maximum: MAX_TRANSITION_MS }),
    /** wipe only. */
    from: WipeFromSchema,
    /** dip only: the colour the picture dips through. */
    colour: ColourSchema,
  },
  { additionalProperties: false },
);
export type Transition = Static<typeof TransitionSchema>;

/** A transition as a command may give it: any field left out comes from the event's current transition. */
export const TransitionPatchSchema = Type.Partial(TransitionSchema, { additionalProperties: false });
export type TransitionPatch = Static<typeof TransitionPatchSchema>;

/** The last take, kept so that any renderer can draw the transition from state alone (reload mid-mix included). */
export const TakeStateSchema = Type.Object(
  {
    from: Type.Union([SourceIdSchema, Type.Null()]),
    to: SourceIdSchema,
    transition: TransitionSchema,
    startedAt: ServerTimeSchema,
    /**
     * Set while a take is scheduled (`at`): what preview was before it, so a cancel restores the desk. Every
     * renderer already waits for `startedAt`; this is only the undo information.
     */
    scheduled: Type.Optional(
      Type.Object({ previewBefore: Type.Union([SourceIdSchema, Type.Null()]) }, { additionalProperties: false }),
    ),
    /**
     * A take that arrived while the previous transition was still running: the outgoing picture is that
     * transition frozen at `progress`, so the new one starts from what was on screen, without a jump.
     */
    interrupted: Type.Union([
      Type.Object(
        {
          from: Type.Union([SourceIdSchema, Type.Null()]),
          to: SourceIdSchema,
          transition: TransitionSchema,
          progress: Type.Number({ minimum: 0, maximum: 1 }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type TakeState = Static<typeof TakeStateSchema>;

export const RectSchema = Type.Object(
  {
    x: Type.Number({ minimum: 0, maximum: 1 }),
    y: Type.Number({ minimum: 0, maximum: 1 }),
    w: Type.Number({ minimum: 0.05, maximum: 1 }),
    h: Type.Number({ minimum: 0.05, maximum: 1 }),
  },
  { additionalProperties: false, description: 'Normalised to the output frame: 0..1 on both axes.' },
);
export type Rect = Static<typeof RectSchema>;

export const CornerSchema = Type.Union([
  Type.Literal('top-left'),
  Type.Literal('top-right'),
  Type.Literal('bottom-left'),
  Type.Literal('bottom-right'),
]);
export type Corner = Static<typeof CornerSchema>;

export const PipSchema = Type.Object(
  {
    visible: Type.Boolean(),
    source: Type.Union([SourceIdSchema, Type.Null()]),
    /** Always resolved: a corner preset is turned into its rect by the reducer. */
    rect: RectSchema,
    corner: Type.Union([CornerSchema, Type.Null()]),
    border: Type.Object(
      { width: Type.Integer({ minimum: 0, maximum: 20 }), colour: ColourSchema },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Pip = Static<typeof PipSchema>;

export const TeamSchema = Type.Object(
  {
    name: plainText(40),
    short: plainText(4),
    colour: ColourSchema,
    score: Type.Integer({ minimum: 0, maximum: 999 }),
    /** The team's logo on the scorebug (see team-logo.ts); absent or null: none. */
    logo: Type.Optional(Type.Union([LogoIdSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type Team = Static<typeof TeamSchema>;
export const TeamSideSchema = Type.Union([Type.Literal('home'), Type.Literal('away')]);
export type TeamSide = Static<typeof TeamSideSchema>;

export const ScorebugSchema = Type.Object(
  {
    visible: Type.Boolean(),
    home: TeamSchema,
    away: TeamSchema,
    period: Type.String({ maxLength: 12 }),
  },
  { additionalProperties: false },
);
export type Scorebug = Static<typeof ScorebugSchema>;

export const ClockDirectionSchema = Type.Union([Type.Literal('up'), Type.Literal('down')]);
export type ClockDirection = Static<typeof ClockDirectionSchema>;
export const MAX_CLOCK_MS = 24 * 3600 * 1000;

/**
 * The game clock is never a counter: its value is computed from these fields and the server time, so a
 * reload, a reconnect or a second renderer all show the same value (see clockValueMs).
 */
export const ClockSchema = Type.Object(
  {
    running: Type.Boolean(),
    /** The value at `startedAt` while running, the shown value while stopped. */
    baseMs: Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS }),
    startedAt: Type.Union([ServerTimeSchema, Type.Null()]),
    direction: ClockDirectionSchema,
    /** Counting up stops here; null counts on. Counting down always stops at zero. */
    limitMs: Type.Union([Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS }), Type.Null()]),
    visible: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Clock = Static<typeof ClockSchema>;

export const LowerThirdSchema = Type.Object(
  {
    visible: Type.Boolean(),
    title: Type.String({ maxLength: 80 }),
    subtitle: Type.String({ maxLength: 120 }),
  },
  { additionalProperties: false },
);
export type LowerThird = Static<typeof LowerThirdSchema>;

/** Clip media files: `<clip>-<version>.<ext>`; the controller's media route serves nothing else. */
export const CLIP_MEDIA_PATTERN = '^[a-z0-9]{8}-[0-9]{1,6}\\.(webm|mkv|mp4)$';
/** The program source id a replay plays as: reserved, no event source may take it. */
export const REPLAY_SOURCE_ID = 'replay';
/** Replay speeds a director may choose: real time, half and quarter speed (slow motion). */
export const REPLAY_SPEEDS = [1, 0.5, 0.25] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
export const ReplaySpeedSchema = Type.Union(REPLAY_SPEEDS.map((speed) => Type.Literal(speed)));

/**
 * The clip a replay plays, as every renderer needs it: the camera's ISO range in server time and where the
 * in point sits in the clip's media (the ISO segments it spans, concatenated).
 */
export const ReplayClipRefSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]{1,40}$' }),
    source: SourceIdSchema,
    fromMs: ServerTimeSchema,
    toMs: ServerTimeSchema,
    /** The in point's position in the clip media (ms from its start). */
    mediaOffsetMs: Type.Number({ minimum: 0 }),
    /** The clip media's file name (immutable: a nudged clip gets a new one), served by the controller. */
    media: Type.String({ pattern: CLIP_MEDIA_PATTERN }),
  },
  { additionalProperties: false },
);
export type ReplayClipRef = Static<typeof ReplayClipRefSchema>;

/** What the live sound does under a replay: ducked under it, or muted. */
export const ReplayAudioSchema = Type.Union([Type.Literal('duck'), Type.Literal('mute')]);
export type ReplayAudio = Static<typeof ReplayAudioSchema>;

/**
 * A replay on program (program = REPLAY_SOURCE_ID while it runs). Its picture is a pure function of these
 * fields and server time: the clip position at server time t is mediaOffsetMs + (t - startedAt) × speed,
 * so every renderer, and a page reloaded mid-replay, shows the same frame.
 */
export const ReplayStateSchema = Type.Object(
  {
    clip: ReplayClipRefSchema,
    speed: ReplaySpeedSchema,
    startedAt: ServerTimeSchema,
    /** startedAt + clip length / speed: the last frame of the clip. */
    endsAt: ServerTimeSchema,
    /** The live source that was on program before: it comes back at endsAt unless `stay`. */
    returnTo: Type.Union([SourceIdSchema, Type.Null()]),
    stay: Type.Boolean(),
    audio: ReplayAudioSchema,
  },
  { additionalProperties: false },
);
export type ReplayState = Static<typeof ReplayStateSchema>;

/** single: program full frame; split: program and preview side by side; quad: the first four sources. */
export const LayoutPresetSchema = Type.Union([Type.Literal('single'), Type.Literal('split'), Type.Literal('quad')]);
export type LayoutPreset = Static<typeof LayoutPresetSchema>;

export const ProgramStateSchema = Type.Object(
  {
    revision: Type.Integer({ minimum: 0 }),
    updatedAt: ServerTimeSchema,
    sources: Type.Array(SourceSchema, { maxItems: MAX_SOURCES }),
    program: Type.Union([SourceIdSchema, Type.Null()]),
    preview: Type.Union([SourceIdSchema, Type.Null()]),
    transition: TransitionSchema,
    take: Type.Union([TakeStateSchema, Type.Null()]),
    pip: PipSchema,
    scorebug: ScorebugSchema,
    clock: ClockSchema,
    lowerThird: LowerThirdSchema,
    layout: LayoutPresetSchema,
    /**
     * ISO recording armed: every direct camera records itself for replays (it costs each phone an encode, so
     * it runs while the event records or the director arms it). Left out = not armed.
     */
    isoArmed: Type.Optional(Type.Boolean()),
    /**
     * Server time ISO was last armed or disarmed: a segment that started before a disarm (the one each
     * camera was recording then) is still taken; one that starts after it is refused. Left out = never.
     */
    isoChangedAt: Type.Optional(Type.Number()),
    /** Set while a replay is on program; left out (states stored before replays existed) = none. */
    replay: Type.Optional(Type.Union([ReplayStateSchema, Type.Null()])),
    /**
     * The clip cued to roll next (the newest marked or nudged, as a replay operator cues it): every renderer
     * loads it as soon as it appears here, seconds before a director plays it. Left out = none.
     */
    replayCue: Type.Optional(Type.Union([ReplayClipRefSchema, Type.Null()])),
    /** The sound mixer (audio.ts). Left out (states stored before the mixer existed) = defaultAudioState(). */
    audio: Type.Optional(AudioStateSchema),
    /** The event's data feed (feed-state.ts); left out = no feed has been set up or sent anything. */
    feed: Type.Optional(FeedStateSchema),
    /** Sponsor rotation (sponsors.ts); left out = no sponsors have been set up. */
    sponsors: Type.Optional(SponsorStateSchema),
    /** OGraf graphics on program (ograf.ts); left out = none has been loaded. */
    ograf: Type.Optional(OGrafStateSchema),
  },
  { additionalProperties: false },
);
export type ProgramState = Static<typeof ProgramStateSchema>;
