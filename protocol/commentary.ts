// Commentary seats: a voice in the program that does not come from a camera (a commentator in the stand, at
// home, in the clubhouse). A seat is made by the director or the admin (or by the join code, asked for
// commentary), gets a key of its own bound to it (role `commentary`, like a camera's own key) and is a
// program source of kind `commentary`: sound only, in the mixer `on` and ducking the others by default,
// never a picture (no multiview tile, never taken to program, preview or PiP). See docs/crew.md.
import { Type, type Static } from '@sinclair/typebox';
import { oneLineText } from './user-text.ts';

/** The role of a seat's own key. No event-wide key has it: every seat key is bound to its one seat. */
export const COMMENTARY_ROLE = 'commentary';

/** Also the seat's program source id and its LiveKit participant identity. */
export const SeatIdSchema = Type.String({ pattern: '^seat-[a-z0-9]{6}$', description: 'Commentary seat id.' });
export type SeatId = Static<typeof SeatIdSchema>;

export const SeatLabelSchema = oneLineText(64);

/** Seats an event may have: a broadcast booth seats two or three; each is also one of the event's sources. */
export const MAX_COMMENTARY_SEATS = 8;

/** The page a seat's link opens (`/commentary?event=ID&key=SEAT_KEY`); built by another piece of work. */
export const COMMENTARY_PAGE_PATH = '/commentary';

/** A seat as stored (its key is kept beside it by the key store, never in this record). */
export const SeatSchema = Type.Object(
  {
    id: SeatIdSchema,
    label: SeatLabelSchema,
    /** Server time (ms) it was made. */
    created: Type.Number(),
  },
  { additionalProperties: false },
);
export type Seat = Static<typeof SeatSchema>;

/**
 * A seat as an answer shows it. `url` (the seat's link, carrying its key) only to the roles that hand seats
 * out (COMMENTARY_MANAGER_ROLES); everyone else gets the seat without it.
 */
export const SeatViewSchema = Type.Object(
  {
    ...SeatSchema.properties,
    url: Type.Optional(Type.String()),
    /** Its page is connected (direct transport: its event socket is open); for the roles that see `url`. */
    online: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SeatView = Static<typeof SeatViewSchema>;

/** Who makes, removes and sees the links of seats: the ones who see the camera join code today. */
export const COMMENTARY_MANAGER_ROLES = ['admin', 'director'] as const;
/** Who lists seats (without links): the graphics desk names commentators in lower thirds. */
export const COMMENTARY_READER_ROLES = ['admin', 'director', 'graphics'] as const;

export const SeatCreateRequestSchema = Type.Object({ label: SeatLabelSchema }, { additionalProperties: false });
export type SeatCreateRequest = Static<typeof SeatCreateRequestSchema>;

export const SeatCreatedResponseSchema = Type.Object({
  seat: Type.Object(
    { ...SeatSchema.properties, url: Type.String(), online: Type.Boolean() },
    { additionalProperties: false },
  ),
});
export type SeatCreatedResponse = Static<typeof SeatCreatedResponseSchema>;

export const SeatListResponseSchema = Type.Object({ seats: Type.Array(SeatViewSchema) });
export type SeatListResponse = Static<typeof SeatListResponseSchema>;

export const SeatResponseSchema = Type.Object({ seat: SeatViewSchema });
export type SeatResponse = Static<typeof SeatResponseSchema>;
