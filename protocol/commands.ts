// Every program and graphics command. Names are namespaced `area.verb`, so a log line, a WebSocket
// frame and an HTTP body all say the same thing.
import { oneLineText, plainText } from './user-text.ts';
import {
  Type,
  type Static,
  type TInteger,
  type TLiteral,
  type TObject,
  type TOptional,
  type TProperties,
} from '@sinclair/typebox';
import {
  ClockDirectionSchema,
  ColourSchema,
  CornerSchema,
  LayoutPresetSchema,
  MAX_CLOCK_MS,
  RectSchema,
  ReplayAudioSchema,
  ReplayClipRefSchema,
  ReplaySpeedSchema,
  SourceIdSchema,
  SourceSchema,
  TeamSideSchema,
  TransitionPatchSchema,
} from './state.ts';
import { LogoIdSchema } from './team-logo.ts';
import { AudioMasterSchema, AudioSourceSettingsSchema } from './audio.ts';
import { FEED_COMMAND_SCHEMAS } from './data-feed.ts';
import { MAX_SPONSORS, SponsorSchema } from './sponsors.ts';
import { OGRAF_COMMAND_SCHEMAS } from './ograf.ts';

/** Compare-and-set: when given, the command is applied only if the state is still at this revision. */
export const IfRevisionSchema = Type.Optional(Type.Integer({ minimum: 0 }));

type CommandProperties<T extends string, P extends TProperties> = P & {
  type: TLiteral<T>;
  ifRevision: TOptional<TInteger>;
};

function command<T extends string, P extends TProperties>(type: T, properties: P): TObject<CommandProperties<T, P>> {
  const all: CommandProperties<T, P> = { ...properties, type: Type.Literal(type), ifRevision: IfRevisionSchema };
  return Type.Object(all, { additionalProperties: false });
}

const TeamPatchSchema = Type.Partial(
  Type.Object({
    name: plainText(40),
    short: plainText(4),
    colour: ColourSchema,
    score: Type.Integer({ minimum: 0, maximum: 999 }),
    /** An uploaded logo's id (POST …/teams/:side/logo), or null to show none. */
    logo: Type.Union([LogoIdSchema, Type.Null()]),
  }),
  { additionalProperties: false },
);

/**
 * A take may be scheduled: `at` is the server time its transition starts on every renderer (Egress, the
 * built-in recorder, monitors), so all outputs switch on the same frame. At most MAX_SCHEDULE_AHEAD_MS ahead.
 */
const AtSchema = Type.Optional(
  Type.Number({ minimum: 0, description: 'Server time (ms since the epoch) the transition starts; now if left out.' }),
);

export const ProgramTakeSchema = command('program.take', {
  source: SourceIdSchema,
  transition: Type.Optional(TransitionPatchSchema),
  at: AtSchema,
});
export const ProgramPreviewSchema = command('program.preview', { source: SourceIdSchema });
/** Preview to program with the current transition; the old program goes to preview (ATEM's AUTO). */
export const ProgramAutoSchema = command('program.auto', { at: AtSchema });
/** Preview to program as a cut, whatever the current transition. */
export const ProgramCutSchema = command('program.cut', { at: AtSchema });
/** Withdraws a scheduled take that has not started: program, preview and picture stay as they are. */
export const ProgramCancelSchema = command('program.cancel', {});
export const TransitionSetSchema = command('transition.set', { transition: TransitionPatchSchema });

export const SourceAddSchema = command('source.add', { source: SourceSchema });
export const SourceUpdateSchema = command('source.update', {
  id: SourceIdSchema,
  label: oneLineText(64),
});
export const SourceRemoveSchema = command('source.remove', { id: SourceIdSchema });

export const PipSetSchema = command('pip.set', {
  source: Type.Optional(Type.Union([SourceIdSchema, Type.Null()])),
  rect: Type.Optional(RectSchema),
  corner: Type.Optional(CornerSchema),
  borderWidth: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  borderColour: Type.Optional(ColourSchema),
  visible: Type.Optional(Type.Boolean()),
});
export const PipShowSchema = command('pip.show', {});
export const PipHideSchema = command('pip.hide', {});
export const LayoutSetSchema = command('layout.set', { layout: LayoutPresetSchema });

export const ScorebugSetSchema = command('scorebug.set', {
  home: Type.Optional(TeamPatchSchema),
  away: Type.Optional(TeamPatchSchema),
  period: Type.Optional(Type.String({ maxLength: 12 })),
  visible: Type.Optional(Type.Boolean()),
});
export const ScoreAdjustSchema = command('score.adjust', {
  team: TeamSideSchema,
  delta: Type.Integer({ minimum: -99, maximum: 99 }),
});
export const ScoreSetSchema = command('score.set', {
  team: TeamSideSchema,
  score: Type.Integer({ minimum: 0, maximum: 999 }),
});

export const ClockStartSchema = command('clock.start', {});
export const ClockStopSchema = command('clock.stop', {});
export const ClockSetSchema = command('clock.set', { valueMs: Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS }) });
export const ClockAdjustSchema = command('clock.adjust', {
  deltaMs: Type.Integer({ minimum: -MAX_CLOCK_MS, maximum: MAX_CLOCK_MS }),
});
export const ClockConfigureSchema = command('clock.configure', {
  direction: Type.Optional(ClockDirectionSchema),
  limitMs: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_CLOCK_MS }), Type.Null()])),
  visible: Type.Optional(Type.Boolean()),
});

export const LowerThirdShowSchema = command('lowerThird.show', {
  title: Type.Optional(Type.String({ maxLength: 80 })),
  subtitle: Type.Optional(Type.String({ maxLength: 120 })),
});
export const LowerThirdUpdateSchema = command('lowerThird.update', {
  title: Type.Optional(Type.String({ maxLength: 80 })),
  subtitle: Type.Optional(Type.String({ maxLength: 120 })),
});
export const LowerThirdHideSchema = command('lowerThird.hide', {});

/**
 * Plays a clip on program (the replay API resolves the clip id to its ISO range first, so the reducer
 * stays pure). `return` false: stay on the clip's last frame until a take or replay.stop.
 */
export const ReplayPlaySchema = command('replay.play', {
  clip: ReplayClipRefSchema,
  speed: ReplaySpeedSchema,
  return: Type.Optional(Type.Boolean()),
  audio: Type.Optional(ReplayAudioSchema),
  transition: Type.Optional(TransitionPatchSchema),
});
/** Ends the replay now: back to the live source that was on program before it. */
export const ReplayStopSchema = command('replay.stop', {});
/**
 * The automatic return at the replay's end, committed by the controller so the stored state (tally, logs)
 * follows what every renderer already draws from server time; a no-op before the end or after a return.
 */
export const ReplayEndSchema = command('replay.end', {});

/**
 * Cues a clip (null: none): renderers preload it, so playing it later rolls from a loaded clip. The replay API
 * commits it when a clip is marked or nudged, and null when the cued clip is deleted.
 */
export const ReplayCueSchema = command('replay.cue', { clip: Type.Union([ReplayClipRefSchema, Type.Null()]) });

/** Arms (or disarms) the cameras' ISO recordings for replays. */
export const IsoArmSchema = command('iso.arm', { armed: Type.Boolean() });

/**
 * One source's mixer strip: only the fields given change. The source must be in the state (its settings
 * are kept when it leaves, so a camera that rejoins comes back with its fader where it was).
 */
export const AudioSourceCommandSchema = command('audio.source', {
  source: SourceIdSchema,
  ...Type.Partial(AudioSourceSettingsSchema).properties,
});

const { limiter, loudness, duck } = AudioMasterSchema.properties;
const patchOf = <T extends TProperties>(schema: TObject<T>) =>
  Type.Optional(Type.Partial(schema, { additionalProperties: false }));

/** The master strip: only the fields given change, nested groups field by field. */
export const AudioMasterCommandSchema = command('audio.master', {
  gainDb: Type.Optional(AudioMasterSchema.properties.gainDb),
  muted: Type.Optional(Type.Boolean()),
  limiter: patchOf(limiter),
  loudness: patchOf(loudness),
  duck: patchOf(duck),
  international: Type.Optional(Type.Boolean()),
});

/** The event's sponsors, in rotation order (the whole list: an edit sends it back changed). */
export const SponsorsSetSchema = command('sponsors.set', {
  sponsors: Type.Array(SponsorSchema, { maxItems: MAX_SPONSORS }),
});
/** Sponsor rotation on air, or off (nothing shows, no time is credited; it resumes where it stopped). */
export const SponsorsRotationSchema = command('sponsors.rotation', { on: Type.Boolean() });

export const CommandSchemas = [
  ProgramTakeSchema,
  ProgramPreviewSchema,
  ProgramAutoSchema,
  ProgramCutSchema,
  ProgramCancelSchema,
  TransitionSetSchema,
  SourceAddSchema,
  SourceUpdateSchema,
  SourceRemoveSchema,
  PipSetSchema,
  PipShowSchema,
  PipHideSchema,
  LayoutSetSchema,
  ScorebugSetSchema,
  ScoreAdjustSchema,
  ScoreSetSchema,
  ClockStartSchema,
  ClockStopSchema,
  ClockSetSchema,
  ClockAdjustSchema,
  ClockConfigureSchema,
  LowerThirdShowSchema,
  LowerThirdUpdateSchema,
  LowerThirdHideSchema,
  ReplayPlaySchema,
  ReplayStopSchema,
  ReplayEndSchema,
  ReplayCueSchema,
  IsoArmSchema,
  AudioSourceCommandSchema,
  AudioMasterCommandSchema,
  SponsorsSetSchema,
  SponsorsRotationSchema,
  ...FEED_COMMAND_SCHEMAS,
  ...OGRAF_COMMAND_SCHEMAS,
] as const;

export const CommandSchema = Type.Union([...CommandSchemas]);
export type Command = Static<typeof CommandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
export const COMMAND_TYPES = CommandSchemas.map<CommandType>((s) => s.properties.type.const);
