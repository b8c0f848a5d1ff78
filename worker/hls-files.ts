// The files of one HLS destination's directory: emptied before a run starts, and trimmed to what the final
// playlist lists when it ends (ffmpeg's delete_segments keeps a spare segment behind the window, and a
// killed ffmpeg leaves its .tmp files).
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HLS_PLAYLIST } from '../protocol/hls.ts';

export async function clearHlsDirectory(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

/** The files a playlist refers to: media segment URIs and the EXT-X-MAP initialisation segment. */
export function playlistFiles(playlist: string): Set<string> {
  const files = new Set<string>();
  for (const raw of playlist.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) files.add(line);
    const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(line);
    if (map?.[1] !== undefined) files.add(map[1]);
  }
  return files;
}

export async function removeUnlistedSegments(dir: string): Promise<void> {
  let listed: Set<string>;
  try {
    listed = playlistFiles(await readFile(join(dir, HLS_PLAYLIST), 'utf8'));
  } catch {
    // No playlist (the output never started): nothing a player could ask for.
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name !== HLS_PLAYLIST && !listed.has(name))
      .map((name) => rm(join(dir, name), { force: true })),
  );
}
