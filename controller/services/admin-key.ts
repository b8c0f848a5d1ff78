// The admin key: PITCHSIDE_ADMIN_KEY when set, else one generated on first start and kept in the data
// dir (mode 0600) so it survives restarts. `generated` tells the caller to print it, once.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newSecret } from './key-store.ts';

export const ADMIN_KEY_FILE = 'admin-key';

export interface AdminKey {
  key: string;
  generated: boolean;
  /** Where it is kept; null when it came from the environment. */
  file: string | null;
}

export async function resolveAdminKey(dataDir: string, fromEnv: string): Promise<AdminKey> {
  if (fromEnv !== '') return { key: fromEnv, generated: false, file: null };
  const file = join(dataDir, ADMIN_KEY_FILE);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key !== '') return { key, generated: false, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = newSecret('psadm');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, generated: true, file };
}
