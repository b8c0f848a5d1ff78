// The data dir holds what must stay the running user's alone: Redis's append-only file (stream keys, role
// keys), the admin key, the LAN CA's private key, recordings. `npm start` makes it so before anything is
// written: the process tree's umask becomes 0077 (every file it and its children — redis-server, ffmpeg,
// Chromium — create is 0600, every directory 0700), the data dir is 0700, and what an earlier run left
// readable is tightened once. Docker deployments set the user and volume permissions in docker/.
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Files: read and write for the owner only. */
export const DATA_FILE_MODE = 0o600;
/** Directories: the owner only. */
export const DATA_DIR_MODE = 0o700;
/** What the process tree creates is its user's alone (the complement of the modes above). */
export const DATA_UMASK = 0o077;

/**
 * Creates the data dir owner-only, sets the umask for everything written from now on, and tightens what
 * is already there (files 0600, directories 0700; symlinks are left alone, never followed).
 */
export async function prepareDataDir(dir: string): Promise<void> {
  process.umask(DATA_UMASK);
  await mkdir(dir, { recursive: true, mode: DATA_DIR_MODE });
  await tighten(dir);
}

async function tighten(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    if ((info.mode & 0o777) !== DATA_DIR_MODE) await chmod(path, DATA_DIR_MODE);
    for (const name of await readdir(path)) await tighten(join(path, name));
  } else if (info.isFile() && (info.mode & 0o077) !== 0) {
    await chmod(path, DATA_FILE_MODE);
  }
}
