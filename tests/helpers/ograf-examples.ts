// The example OGraf graphics (examples/ograf/) as the tests use them: zipped the way a producer uploads a
// package, and as the reducer's catalog entries.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { OGrafCatalog, OGrafCatalogEntry, OGrafGraphicId } from '../../protocol/index.ts';
import { checkManifest, dataCheck } from '../../protocol/ograf-manifest.ts';

export const OGRAF_EXAMPLES_DIR = resolve(import.meta.dirname, '../../examples/ograf');
export type ExampleGraphic = 'lineup' | 'sponsor-bug';

/** The example's files, path → bytes (paths relative to its folder). */
export function exampleFiles(name: ExampleGraphic): Map<string, Buffer> {
  const dir = join(OGRAF_EXAMPLES_DIR, name);
  return new Map(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file))]));
}

/** A catalog entry for the example, as the controller would make it from the stored package. */
export function exampleEntry(name: ExampleGraphic, id: OGrafGraphicId): OGrafCatalogEntry {
  const files = exampleFiles(name);
  const manifestFile = [...files.keys()].find((f) => f.endsWith('.ograf.json'))!;
  const checked = checkManifest(JSON.parse(files.get(manifestFile)!.toString('utf8')));
  if (!checked.ok) throw new Error(checked.message);
  const { manifest } = checked;
  return {
    ref: {
      id,
      name: manifest.name,
      main: manifest.main,
      stepCount: manifest.stepCount ?? 1,
      supportsNonRealTime: manifest.supportsNonRealTime,
    },
    checkData: dataCheck(manifest.schema),
  };
}

export function exampleCatalog(): OGrafCatalog {
  return new Map([
    ['a'.repeat(24), exampleEntry('lineup', 'a'.repeat(24))],
    ['b'.repeat(24), exampleEntry('sponsor-bug', 'b'.repeat(24))],
  ]);
}

/**
 * A zip of `files` (deflated, no extras): enough of the format for an upload, and for hostile packages
 * (names with `..`, absolute paths) that no zip tool would write.
 */
export function zip(files: ReadonlyMap<string, Buffer | string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of files) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    locals.push(local, nameBytes, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.size, 8);
  end.writeUInt16LE(files.size, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The example zipped, its files in one top folder (as zipping a folder does) or at the root. */
export function exampleZip(name: ExampleGraphic, options: { topFolder?: boolean } = {}): Buffer {
  const prefix = options.topFolder === false ? '' : `${name}/`;
  return zip(new Map([...exampleFiles(name)].map(([file, bytes]) => [`${prefix}${file}`, bytes])));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
