// OGraf graphics (EBU OGraf v1, https://ograf.ebu.io): HTML graphics a producer uploads as a package, which
// the template runs in a sandboxed frame. Program state holds each instance (which graphic, which step, its
// data), so every renderer shows the same step with the same data; the stored package and its manifest stay
// in the controller (ograf-manifest.ts checks them, with ajv, outside the browser bundle).
import { Type, type Static } from '@sinclair/typebox';

/** The `$schema` every v1 manifest carries: both the manifest's JSON schema and the OGraf version. */
export const OGRAF_V1_SCHEMA_URL = 'https://ograf.ebu.io/v1/specification/json-schemas/graphics/schema.json';

/** Instances on program at once: each is an iframe running someone else's code in every renderer. */
export const MAX_OGRAF_INSTANCES = 8;
/** An instance's data rides in every state frame to every renderer and panel: a line-up, not a database. */
export const MAX_OGRAF_DATA_BYTES = 16 * 1024;
/** Steps a graphic may declare; the reducer keeps `step` below it. */
export const MAX_OGRAF_STEPS = 100;

/** A stored graphic's id: the first 96 bits of its package's SHA-256, so the same package is one graphic. */
export const OGrafGraphicIdSchema = Type.String({ pattern: '^[a-f0-9]{24}$' });
export type OGrafGraphicId = Static<typeof OGrafGraphicIdSchema>;

/** An instance id, chosen by the desk ("lineup", "sponsor"): the same shape as a source id. */
export const OGrafInstanceIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,63}$',
  description: 'Lower-case id: letters, digits, "-" and "_", at most 64 characters.',
});
// state.ts imports this file, so server time is spelt here rather than imported from it.
const ServerTimeSchema = Type.Number({ minimum: 0 });

/** Above the built-in scorebug (the default) or under it. */
export const OGrafLayerSchema = Type.Union([Type.Literal('above'), Type.Literal('below')]);
export type OGrafLayer = Static<typeof OGrafLayerSchema>;

/** A graphic's data: a JSON object its manifest's `schema` accepts. */
export const OGrafDataSchema = Type.Record(Type.String(), Type.Unknown());
export type OGrafData = Static<typeof OGrafDataSchema>;

/** What a renderer needs of a graphic, copied into the instance at load: no renderer reads the store. */
export const OGrafGraphicRefSchema = Type.Object(
  {
    id: OGrafGraphicIdSchema,
    name: Type.String({ maxLength: 200 }),
    /** The graphic's module, served by the controller under ografFilePath. */
    main: Type.String({ minLength: 1, maxLength: 512 }),
    stepCount: Type.Integer({ minimum: 0, maximum: MAX_OGRAF_STEPS }),
    supportsNonRealTime: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type OGrafGraphicRef = Static<typeof OGrafGraphicRefSchema>;

/**
 * loaded: load() done, nothing shown yet; playing: at `step` (null for a zero-step graphic, which animates
 * out by itself); stopped: stopAction() played out, still loaded.
 */
export const OGrafStatusSchema = Type.Union([Type.Literal('loaded'), Type.Literal('playing'), Type.Literal('stopped')]);
export type OGrafStatus = Static<typeof OGrafStatusSchema>;

export const OGrafInstanceSchema = Type.Object(
  {
    id: OGrafInstanceIdSchema,
    graphic: OGrafGraphicRefSchema,
    layer: OGrafLayerSchema,
    status: OGrafStatusSchema,
    /** 0-based, as OGraf counts; null while not at a step. */
    step: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    data: OGrafDataSchema,
    /** Server time of the load: a renderer that sees it change loads the graphic afresh. */
    loadedAt: ServerTimeSchema,
    /** Server time of the last action: what a non-real-time re-render schedules the action at. */
    changedAt: ServerTimeSchema,
    /**
     * Set when a renderer reported that the graphic threw or hung: every renderer unloads it, the program
     * goes on, and the desk shows the message until the instance is cleared or loaded again.
     */
    failed: Type.Optional(
      Type.Object({ message: Type.String({ maxLength: 300 }), at: ServerTimeSchema }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type OGrafInstance = Static<typeof OGrafInstanceSchema>;

/** Instances in load order (later ones draw over earlier ones of the same layer). */
export const OGrafStateSchema = Type.Object(
  { instances: Type.Array(OGrafInstanceSchema, { maxItems: MAX_OGRAF_INSTANCES }) },
  { additionalProperties: false },
);
export type OGrafState = Static<typeof OGrafStateSchema>;

/** Where the controller serves a stored graphic's files (public: every renderer loads them, the id is a hash). */
export function ografFilePath(graphic: OGrafGraphicId, path: string): string {
  return `/api/ograf/${graphic}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The page a sandboxed frame loads to run one instance (served by the controller with its own CSP). */
export const OGRAF_HOST_PATH = '/api/ograf/host';

/**
 * What the reducer needs to know of a stored graphic: its ref, and its data check (the manifest's schema,
 * compiled by the controller). Passed in with the command's context, so the reducer stays pure.
 */
export interface OGrafCatalogEntry {
  ref: OGrafGraphicRef;
  /** null when the data matches the manifest's schema, else the first problem: its dotted path and what is wrong. */
  checkData(data: OGrafData): { field: string; message: string } | null;
}
export type OGrafCatalog = ReadonlyMap<OGrafGraphicId, OGrafCatalogEntry>;

/** Messages between the template and a graphic's sandboxed frame (postMessage, both ways). */
export type OGrafHostCall =
  | { type: 'load'; call: number; main: string; data: OGrafData; width: number; height: number }
  | { type: 'playAction'; call: number; goto?: number; delta?: number; skipAnimation: boolean }
  | { type: 'updateAction'; call: number; data: OGrafData; skipAnimation: boolean }
  | { type: 'stopAction'; call: number; skipAnimation: boolean }
  | { type: 'dispose'; call: number };
export type OGrafHostReply =
  | { type: 'ready' }
  | { type: 'done'; call: number; currentStep?: number | null }
  | { type: 'failed'; call: number; message: string }
  /** An error the graphic threw outside a call (a timer, an event handler). */
  | { type: 'fault'; message: string };

/**
 * A program renderer's report that an instance's graphic threw, refused or did not answer within its time
 * (client → controller on the event socket): the controller commits ograf.fail.
 */
export const OGrafFaultReportSchema = Type.Object(
  {
    type: Type.Literal('ograf.fault'),
    eventId: Type.String({ minLength: 1, maxLength: 64 }),
    instance: OGrafInstanceIdSchema,
    /** The instance's loadedAt: a report about an earlier load of the same id is dropped. */
    loadedAt: ServerTimeSchema,
    message: Type.String({ maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type OGrafFaultReport = Static<typeof OGrafFaultReportSchema>;

const IfRevision = Type.Optional(Type.Integer({ minimum: 0 }));
const instance = OGrafInstanceIdSchema;

/** Loads a stored graphic as `instance` (replacing one of that id): load() with `data`, nothing shown yet. */
export const OGrafLoadSchema = Type.Object(
  {
    type: Type.Literal('ograf.load'),
    instance,
    graphic: OGrafGraphicIdSchema,
    data: Type.Optional(OGrafDataSchema),
    layer: Type.Optional(OGrafLayerSchema),
    ifRevision: IfRevision,
  },
  { additionalProperties: false },
);
/** playAction: to step `goto`, or `delta` steps on (1 if neither); at or past the last step, the graphic ends. */
export const OGrafPlaySchema = Type.Object(
  {
    type: Type.Literal('ograf.play'),
    instance,
    goto: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OGRAF_STEPS })),
    delta: Type.Optional(Type.Integer({ minimum: -MAX_OGRAF_STEPS, maximum: MAX_OGRAF_STEPS })),
    ifRevision: IfRevision,
  },
  { additionalProperties: false },
);
/** updateAction: the fields given replace the instance's (the result is checked against the schema). */
export const OGrafUpdateSchema = Type.Object(
  { type: Type.Literal('ograf.update'), instance, data: OGrafDataSchema, ifRevision: IfRevision },
  { additionalProperties: false },
);
export const OGrafStopSchema = Type.Object(
  { type: Type.Literal('ograf.stop'), instance, ifRevision: IfRevision },
  { additionalProperties: false },
);
/** dispose(): the instance leaves program. */
export const OGrafClearSchema = Type.Object(
  { type: Type.Literal('ograf.clear'), instance, ifRevision: IfRevision },
  { additionalProperties: false },
);
/**
 * A renderer's report that the graphic threw or hung, committed by the controller (never sent by a desk):
 * every renderer unloads the instance.
 */
export const OGrafFailSchema = Type.Object(
  {
    type: Type.Literal('ograf.fail'),
    instance,
    /** The load the report is about: a report about an earlier load of the same id changes nothing. */
    loadedAt: Type.Optional(ServerTimeSchema),
    message: Type.String({ maxLength: 300 }),
    ifRevision: IfRevision,
  },
  { additionalProperties: false },
);

export const OGRAF_COMMAND_SCHEMAS = [
  OGrafLoadSchema,
  OGrafPlaySchema,
  OGrafUpdateSchema,
  OGrafStopSchema,
  OGrafClearSchema,
  OGrafFailSchema,
] as const;
export type OGrafCommand = Static<(typeof OGRAF_COMMAND_SCHEMAS)[number]>;

/** Where a stored graphic is offered: to one event, or to every event (uploaded with an admin key). */
export const OGrafScopeSchema = Type.Union([Type.Literal('event'), Type.Literal('all')]);
export type OGrafScope = Static<typeof OGrafScopeSchema>;

/** A stored graphic as the API lists it: what the desk needs to offer it and build its data form. */
export const OGrafGraphicSchema = Type.Object(
  {
    id: OGrafGraphicIdSchema,
    name: Type.String(),
    scope: OGrafScopeSchema,
    /** The manifest's own id and version (`tv.pitchside.lineup`, `1`). */
    manifestId: Type.String(),
    version: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    main: Type.String(),
    stepCount: Type.Integer({ minimum: 0 }),
    supportsNonRealTime: Type.Boolean(),
    /** The manifest's data schema (JSON schema), from which the desk builds the form. */
    schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    uploadedAt: ServerTimeSchema,
    bytes: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type OGrafGraphic = Static<typeof OGrafGraphicSchema>;

/** The ref an instance carries, from the stored graphic. */
export function ografRef(graphic: OGrafGraphic): OGrafGraphicRef {
  return {
    id: graphic.id,
    name: graphic.name,
    main: graphic.main,
    stepCount: graphic.stepCount,
    supportsNonRealTime: graphic.supportsNonRealTime,
  };
}
