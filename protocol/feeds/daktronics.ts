// The Daktronics All Sport 5000 console's RTD (real-time data) output, as it comes off its RS-232 port (19200
// baud, 8N1) or a serial-to-TCP bridge. The console keeps one text buffer per sport, each item at a fixed
// 1-based position; it sends the parts that change, one frame each:
//   SYN(0x16) … SOH(0x01) "004210" + 4-digit offset STX(0x02) text EOT(0x04) checksum(2 hex) ETB(0x17)
// The checksum is the sum of every byte from after SYN to EOT inclusive, modulo 256, in upper-case hex.
// Frames of other types (another header) carry no item data and are skipped. What each sport's items mean:
// SPORT_ITEMS. See docs/data-feeds.md.
import { Type, type Static } from '@sinclair/typebox';
import type { FeedPacket } from '../feed-packet.ts';
import type { FeedFields } from '../feed-state.ts';

export const RTD = { SYN: 0x16, SOH: 0x01, STX: 0x02, EOT: 0x04, ETB: 0x17 } as const;
/** The header of a frame that carries item data: then the 4-digit 0-based offset of its text in the buffer. */
export const RTD_DATA_HEADER = '004210';
export const RTD_BAUD_RATE = 19_200;
/** A frame longer than this is noise (the longest sport buffer is well under it): the decoder starts over. */
export const RTD_MAX_FRAME_BYTES = 2048;
/** The buffer positions items may take. */
const RTD_BUFFER_LENGTH = 1024;

export const DAKTRONICS_SPORTS = ['basketball', 'football', 'soccer', 'hockey', 'volleyball'] as const;
export const DaktronicsSportSchema = Type.Union(DAKTRONICS_SPORTS.map((s) => Type.Literal(s)));
export type DaktronicsSport = Static<typeof DaktronicsSportSchema>;

/** A serial device (RS-232 adapter, or a pseudo-terminal), never any other file. */
const SERIAL_PATH_PATTERN = '^/dev/(tty[A-Za-z0-9._-]{1,32}|serial/[A-Za-z0-9._:/-]{1,200}|pts/[0-9]{1,6})$';

export const DaktronicsSourceSchema = Type.Object(
  {
    kind: Type.Literal('daktronics'),
    sport: DaktronicsSportSchema,
    /** A serial device on this machine; or `host` and `port` of a serial-to-TCP bridge. */
    path: Type.Optional(Type.String({ pattern: SERIAL_PATH_PATTERN })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
  },
  { additionalProperties: false },
);
export type DaktronicsSource = Static<typeof DaktronicsSourceSchema>;

/** Where a source connects, or the field a person must fix. */
export function daktronicsEndpoint(
  source: DaktronicsSource,
):
  | { ok: true; serial: string }
  | { ok: true; host: string; port: number }
  | { ok: false; field: string; message: string } {
  if (source.path !== undefined) {
    if (source.host !== undefined || source.port !== undefined)
      return { ok: false, field: '/source/path', message: 'give a serial device or a host and port, not both' };
    return { ok: true, serial: source.path };
  }
  if (source.host === undefined)
    return { ok: false, field: '/source/path', message: 'a serial device or a host and port is needed' };
  if (source.port === undefined) return { ok: false, field: '/source/port', message: 'a TCP bridge needs its port' };
  return { ok: true, host: source.host, port: source.port };
}

/** An item's 1-based position and length in the sport's buffer, as the console's documentation numbers them. */
interface Item {
  at: number;
  length: number;
}

interface SportItems {
  clock: Item;
  /** 's' while the main clock is stopped. */
  stopped: Item;
  home: Item;
  away: Item;
  period: Item;
  /** Free-form fields: name → item. */
  extra: Record<string, Item>;
}

// Clock, stop flag, scores and period sit at the same positions in these five sports' buffers.
const COMMON = {
  clock: { at: 1, length: 5 },
  stopped: { at: 28, length: 1 },
  home: { at: 108, length: 4 },
  away: { at: 112, length: 4 },
  period: { at: 142, length: 2 },
};

export const SPORT_ITEMS: Record<DaktronicsSport, SportItems> = {
  basketball: {
    ...COMMON,
    extra: {
      shotClock: { at: 201, length: 8 },
      homeFouls: { at: 236, length: 2 },
      awayFouls: { at: 238, length: 2 },
      homeTimeouts: { at: 122, length: 2 },
      awayTimeouts: { at: 130, length: 2 },
    },
  },
  football: {
    ...COMMON,
    extra: {
      playClock: { at: 201, length: 8 },
      ballOn: { at: 220, length: 2 },
      down: { at: 222, length: 3 },
      toGo: { at: 225, length: 2 },
    },
  },
  soccer: { ...COMMON, extra: {} },
  hockey: {
    ...COMMON,
    extra: { shotClock: { at: 201, length: 8 } },
  },
  volleyball: {
    ...COMMON,
    extra: { homeSets: { at: 215, length: 2 }, awaySets: { at: 217, length: 2 } },
  },
};

export interface RtdFrame {
  /** 0-based position of `text` in the console's buffer. */
  offset: number;
  text: string;
}

export function rtdChecksum(bytes: Uint8Array): string {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Splits the byte stream into frames (SYN … ETB) and parses each one. Bytes outside a frame (the console's
 * idle SYNs, a half frame from before the connection) are skipped; a frame with a wrong checksum or another
 * header yields nothing.
 */
export class RtdDecoder {
  #frame: number[] | null = null;
  /** Frames refused for a bad checksum or form: a wiring or baud-rate problem shows as a growing count. */
  rejected = 0;

  push(chunk: Uint8Array): RtdFrame[] {
    const frames: RtdFrame[] = [];
    for (const byte of chunk) {
      if (byte === RTD.SYN) {
        this.#frame = [];
        continue;
      }
      if (this.#frame === null) continue;
      if (byte !== RTD.ETB) {
        this.#frame.push(byte);
        if (this.#frame.length > RTD_MAX_FRAME_BYTES) this.#frame = null;
        continue;
      }
      const frame = parseRtdFrame(Uint8Array.from(this.#frame));
      this.#frame = null;
      if (frame === 'other') continue;
      if (frame === null) this.rejected++;
      else frames.push(frame);
    }
    return frames;
  }
}

/** One frame's bytes between SYN and ETB: its data, null when malformed, 'other' for a frame type without data. */
export function parseRtdFrame(bytes: Uint8Array): RtdFrame | null | 'other' {
  const soh = bytes.indexOf(RTD.SOH);
  const eot = bytes.indexOf(RTD.EOT);
  if (soh < 0 || eot < soh) return null;
  const checksum = String.fromCharCode(...bytes.subarray(eot + 1));
  if (checksum !== rtdChecksum(bytes.subarray(0, eot + 1))) return null;
  const stx = bytes.indexOf(RTD.STX, soh);
  const header = String.fromCharCode(...bytes.subarray(soh + 1, stx < 0 || stx > eot ? eot : stx));
  if (!header.startsWith(RTD_DATA_HEADER) || stx < 0 || stx > eot) return 'other';
  const offset = header.slice(RTD_DATA_HEADER.length);
  if (!/^\d{4}$/.test(offset)) return null;
  return { offset: Number(offset), text: String.fromCharCode(...bytes.subarray(stx + 1, eot)) };
}

/** The console's buffer as the frames so far have written it. */
export class RtdBuffer {
  readonly #chars: string[] = Array.from({ length: RTD_BUFFER_LENGTH }, () => ' ');
  /** Positions written at least once: an item never sent is not read as blank. */
  readonly #written = new Set<number>();

  write(frame: RtdFrame): void {
    for (const [i, char] of [...frame.text].entries()) {
      const at = frame.offset + i;
      if (at >= RTD_BUFFER_LENGTH) break;
      this.#chars[at] = char;
      this.#written.add(at);
    }
  }

  item({ at, length }: Item): string | null {
    if (!this.#written.has(at - 1)) return null;
    return this.#chars.slice(at - 1, at - 1 + length).join('');
  }

  /** The sport's scorebug, clock, period and extras as a feed packet (only what the console has sent). */
  read(sport: DaktronicsSport): FeedPacket {
    const items = SPORT_ITEMS[sport];
    const packet: FeedPacket = {};
    const score = (item: Item) => {
      const text = this.item(item)?.trim();
      return text !== undefined && /^\d{1,3}$/.test(text) ? Number(text) : undefined;
    };
    const home = score(items.home);
    const away = score(items.away);
    if (home !== undefined) packet.home = { score: home };
    if (away !== undefined) packet.away = { score: away };
    const period = this.item(items.period)?.trim();
    if (period !== undefined && period !== '') packet.period = period;
    const clock = this.item(items.clock);
    const ms = clock === null ? null : parseRtdClock(clock);
    const stopped = this.item(items.stopped);
    if (ms !== null || stopped !== null) {
      packet.clock = {
        ...(ms === null ? {} : { ms }),
        ...(stopped === null ? {} : { running: stopped !== 's' }),
      };
    }
    const fields: FeedFields = {};
    for (const [name, item] of Object.entries(items.extra)) {
      const text = this.item(item)?.trim();
      if (text !== undefined && text !== '') fields[name] = /^\d+$/.test(text) ? Number(text) : text;
    }
    if (Object.keys(fields).length > 0) packet.fields = fields;
    return packet;
  }
}

/** "mm:ss", "m:ss" or, under a minute, "ss.t" (tenths) → ms; null for a blank or unknown text. */
export function parseRtdClock(text: string): number | null {
  const trimmed = text.trim();
  const minutes = /^(\d{1,2}):(\d{2})$/.exec(trimmed);
  if (minutes !== null) return (Number(minutes[1]) * 60 + Number(minutes[2])) * 1000;
  const tenths = /^(\d{1,2})\.(\d)$/.exec(trimmed);
  if (tenths !== null) return Number(tenths[1]) * 1000 + Number(tenths[2]) * 100;
  return null;
}
