// Team logo files in the data dir, content-addressed: the id is the image's hash and format, so storing
// the same image twice keeps one file, a stored file never changes, and a name cannot reach outside the
// directory (LogoIdSchema allows no path characters).
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogoFormat, LogoId } from '../../protocol/index.ts';

export class LogoStore {
  constructor(readonly dir: string) {}

  /** Stores the image (already checked) and returns its id. Written aside and renamed: never half a file. */
  async save(bytes: Buffer, format: LogoFormat): Promise<LogoId> {
    const id = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.${format}`;
    const path = this.path(id);
    if (await exists(path)) return id;
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
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
