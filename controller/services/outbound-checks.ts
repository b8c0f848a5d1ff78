// The outbound policy (runtime/outbound-policy.ts) at the controller's doors: a media source's URL in
// a command, and the server of a destination (RTMP, SRT), each refused with a 400 naming the field.
import type { Command, DestinationInput } from '../../protocol/index.ts';
import { OutboundRefused, type OutboundPolicy } from '../../runtime/outbound-policy.ts';
import { AppError } from './app-error.ts';

async function vet(
  policy: OutboundPolicy,
  url: string,
  field: string,
  unresolvable: 'refuse' | 'allow',
): Promise<void> {
  try {
    await policy.check(url, unresolvable);
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    throw new AppError(400, 'ADDRESS_NOT_ALLOWED', `This URL may not be used: ${error.message}.`, field);
  }
}

/**
 * A media source is loaded by the recorder's Chromium, by Egress and by every operator's browser: its
 * host must resolve now, and only to addresses the policy allows.
 */
export function vetCommand(policy: OutboundPolicy, command: Command): Promise<void> | null {
  if (command.type !== 'source.add' || command.source.url === undefined) return null;
  return vet(policy, command.source.url, '/source/url', 'refuse');
}

/**
 * The server every kind that sends somewhere keeps in `serverUrl` (custom RTMP, SRT; YouTube's and
 * Twitch's defaults are fixed). A name that does not resolve yet is accepted:
 * it reaches nothing now, and the address is checked again when the stream starts.
 */
export async function vetDestinations(
  policy: OutboundPolicy,
  destinations: readonly Pick<DestinationInput, 'kind' | 'serverUrl'>[],
  field = '/destinations',
): Promise<void> {
  for (const [index, destination] of destinations.entries()) {
    if (destination.serverUrl !== undefined)
      await vet(policy, destination.serverUrl, `${field}/${index}/serverUrl`, 'allow');
  }
}
