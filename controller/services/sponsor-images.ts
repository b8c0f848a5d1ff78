// A sponsor list may name only artwork this controller stores: a renderer cannot draw a missing image,
// and the exposure report would then credit airtime nobody saw.
import type { Command } from '../../protocol/index.ts';
import { AppError } from './app-error.ts';
import type { LogoStore } from './logo-store.ts';

/** null for any other command; else resolves once every image is stored, or refuses naming the first missing. */
export function checkSponsorImages(store: LogoStore, command: Command): Promise<void> | null {
  if (command.type !== 'sponsors.set') return null;
  return (async () => {
    for (const [i, sponsor] of command.sponsors.entries()) {
      if (sponsor.kind === 'image' && !(await store.has(sponsor.image)))
        throw new AppError(
          422,
          'UNKNOWN_IMAGE',
          `No uploaded image "${sponsor.image}": upload it first (PUT …/sponsors/image).`,
          `/sponsors/${i}/image`,
        );
    }
  })();
}
