// An uploaded OGraf package (a zip) read into memory and checked before anything is stored: sizes and entry
// counts bounded before inflating (a zip bomb declares small and inflates huge: yauzl enforces the declared
// sizes), every path a plain relative one (no `..`, no absolute or drive paths, no backslashes: nothing
// reaches outside the package when it is served), one `.ograf.json` manifest at the root or in one top
// folder, valid against the v1 schema, and its `main` a file of the package.
import { createHash } from 'node:crypto';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { OGrafGraphicId } from '../../protocol/index.ts';
import { checkManifest, type OGrafManifest } from '../../protocol/ograf-manifest.ts';
import { AppError } from './app-error.ts';

/** A graphic is code, a few images and maybe a font: 8 MB zipped is plenty. */
export const OGRAF_MAX_ZIP_BYTES = 8 * 1024 * 1024;
/** Inflated, all files together (the Redis memory one package takes). */
export const OGRAF_MAX_UNPACKED_BYTES = 24 * 1024 * 1024;
export const OGRAF_MAX_FILES = 200;
const MAX_PATH_LENGTH = 256;
/** Letters, digits and `._-@+ ` in each segment: what a graphic's own files are called. */
const SAFE_SEGMENT = /^[A-Za-z0-9_@+-][A-Za-z0-9_.@+ -]*$/;
const MANIFEST_SUFFIX = '.ograf.json';

export interface OGrafPackage {
  /** Content-addressed: the hash of the files (paths and bytes) as served. */
  id: OGrafGraphicId;
  manifest: OGrafManifest;
  /** Path → bytes, relative to the folder that holds the manifest. */
  files: Map<string, Buffer>;
  bytes: number;
}

function openZip(body: Buffer, options: yauzl.Options): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(body, options, (error, zip) => (error === null ? resolve(zip) : reject(error))),
  );
}

/** Reads and checks a package; an AppError (413, 422) naming the field otherwise. */
export async function readOGrafPackage(body: Buffer): Promise<OGrafPackage> {
  if (body.length > OGRAF_MAX_ZIP_BYTES)
    throw new AppError(
      413,
      'TOO_LARGE',
      `The package is larger than ${OGRAF_MAX_ZIP_BYTES / 1024 / 1024} MB.`,
      '/package',
    );
  const raw = await unzip(body);
  const root = packageRoot([...raw.keys()]);
  const files = new Map<string, Buffer>();
  for (const [path, bytes] of raw) if (path.startsWith(root)) files.set(path.slice(root.length), bytes);
  const manifests = [...files.keys()].filter((path) => !path.includes('/') && path.endsWith(MANIFEST_SUFFIX));
  if (manifests.length !== 1)
    throw refusal(
      '/manifest',
      manifests.length === 0
        ? `The package has no ${MANIFEST_SUFFIX} manifest at its root or in its one top folder.`
        : `The package has ${manifests.length} manifests (${manifests.join(', ')}): upload one graphic at a time.`,
    );
  let json: unknown;
  try {
    json = JSON.parse(files.get(manifests[0]!)!.toString('utf8'));
  } catch {
    throw refusal('/manifest', `${manifests[0]} is not JSON.`);
  }
  const checked = checkManifest(json);
  if (!checked.ok) throw refusal(`/${checked.field}`, checked.message);
  const { manifest } = checked;
  const main = normalised(manifest.main);
  if (main === null || !files.has(main))
    throw refusal('/manifest.main', `manifest.main "${manifest.main}" is not a file of the package.`);
  return { id: packageId(files), manifest: { ...manifest, main }, files, bytes: sum(files) };
}

function refusal(field: string, message: string): AppError {
  return new AppError(422, 'INVALID_PACKAGE', message, field);
}

function sum(files: Map<string, Buffer>): number {
  let total = 0;
  for (const bytes of files.values()) total += bytes.length;
  return total;
}

function packageId(files: Map<string, Buffer>): OGrafGraphicId {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort())
    hash.update(`${path}\0${files.get(path)!.length}\0`).update(files.get(path)!);
  return hash.digest('hex').slice(0, 24);
}

/** The folder the manifest is in: the root, or the one top folder every entry is under. */
function packageRoot(paths: string[]): string {
  if (paths.some((path) => !path.includes('/') && path.endsWith(MANIFEST_SUFFIX))) return '';
  const tops = new Set(paths.map((path) => path.split('/')[0]));
  const [top] = tops;
  return tops.size === 1 && top !== undefined && paths.every((path) => path.includes('/')) ? `${top}/` : '';
}

/** A safe relative path (`a/b.mjs`, `./a/b.mjs`), or null. */
export function normalised(path: string): string | null {
  const segments = path.replace(/^\.\//, '').split('/');
  if (path.length > MAX_PATH_LENGTH || segments.some((s) => !SAFE_SEGMENT.test(s) || s === '.' || s === '..'))
    return null;
  return segments.join('/');
}

async function unzip(body: Buffer): Promise<Map<string, Buffer>> {
  let zip: ZipFile;
  try {
    // validateEntrySizes: an entry that inflates past its declared size is an error, not a bomb.
    zip = await openZip(body, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true });
  } catch (error) {
    throw refusal(
      '/package',
      `The body is not a zip file (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  if (zip.entryCount > OGRAF_MAX_FILES * 2)
    throw refusal('/package', `The package has ${zip.entryCount} entries; at most ${OGRAF_MAX_FILES} files.`);
  const files = new Map<string, Buffer>();
  let declared = 0;
  try {
    for (let entry = await nextEntry(zip); entry !== null; entry = await nextEntry(zip)) {
      if (entry.fileName.endsWith('/')) continue; // a folder
      if (/^__MACOSX\/|(^|\/)\.DS_Store$/.test(entry.fileName)) continue; // what macOS zips add
      const path = normalised(entry.fileName);
      if (path === null)
        throw refusal('/package', `"${entry.fileName}" is not a plain relative path inside the package.`);
      declared += entry.uncompressedSize;
      if (files.size >= OGRAF_MAX_FILES || declared > OGRAF_MAX_UNPACKED_BYTES)
        throw new AppError(
          413,
          'TOO_LARGE',
          `A package holds at most ${OGRAF_MAX_FILES} files and ${OGRAF_MAX_UNPACKED_BYTES / 1024 / 1024} MB unpacked.`,
          '/package',
        );
      if (files.has(path)) throw refusal('/package', `"${path}" is in the package twice.`);
      files.set(path, await readEntry(zip, entry));
    }
  } finally {
    zip.close();
  }
  return files;
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (error: Error) => (cleanup(), reject(refusal('/package', `The zip is damaged: ${error.message}`)));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function readEntry(zip: ZipFile, entry: Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error !== null || stream === undefined) {
        reject(refusal('/package', `"${entry.fileName}" cannot be read: ${error?.message ?? 'no stream'}`));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (e) => reject(refusal('/package', `"${entry.fileName}" is damaged: ${e.message}`)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
