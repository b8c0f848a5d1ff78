// Team logo files in the data dir, content-addressed: the id is the image's hash and format, so storing
// the same image twice keeps one file, a stored file never changes, and a name cannot reach outside the
// directory (LogoIdSchema allows no path characters).
import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogoFormat, LogoId } from '../../protocol/index.ts';

/**
 * A logo no event shows (replaced, or its event deleted) is removed once nobody stored it for this long: an
 * upload is stored and then put on the scorebug, and a sweep between the two must not take its file.
 */
export const UNUSED_LOGO_GRACE_MS = 3600 * 1000;

export class LogoStore {
  constructor(readonly dir: string) {}

  /** Stores the image (already checked) and returns its id. Written aside and renamed: never half a file. */
  async save(bytes: Buffer, format: LogoFormat): Promise<LogoId> {
    const id = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.${format}`;
    const path = this.path(id);
    if (await exists(path)) {
      // Stored again: young again, so a sweep does not take it before the scorebug shows it.
      const now = new Date();
      await utimes(path, now, now);
      return id;
    }
    await mkdir(this.dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    return id;
  }

  path(id: LogoId): string {
    return join(this.dir, id);
  }

  async has(id: LogoId): Promise<boolean> {
    return exists(this.path(id));
  }

  /** Removes logos not in use and not stored within UNUSED_LOGO_GRACE_MS (and stale partial writes); returns them. */
  async sweepUnused(inUse: ReadonlySet<string>, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.dir).catch(() => [])) {
      if (inUse.has(name)) continue;
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile() || now - info.mtimeMs < UNUSED_LOGO_GRACE_MS) continue;
      await rm(path, { force: true });
      removed.push(name);
    }
    return removed;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
