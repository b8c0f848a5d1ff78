// Embedded players and chats for the event's public channels (protocol/watch.ts: ids the controller has
// checked, set by the admin on the event). Only public ids ever reach this page: never a stream key.
import type { EventChannels } from '../../../protocol/index.ts';

export interface Embed {
  platform: 'YouTube' | 'Twitch';
  player: string;
  /** YouTube only offers chat for a video id, not for a channel's live stream. */
  chat: string | null;
}

/** The schema allows an 11-character video id or a UC… channel id; only the channel id starts with UC and is longer. */
function isYoutubeChannel(id: string): boolean {
  return id.length > 11 && id.startsWith('UC');
}

export function embeds(channels: EventChannels, host: string): Embed[] {
  const list: Embed[] = [];
  const parent = encodeURIComponent(host);
  if (channels.youtube !== undefined) {
    const id = channels.youtube;
    list.push({
      platform: 'YouTube',
      player: isYoutubeChannel(id)
        ? `https://www.youtube.com/embed/live_stream?channel=${id}&autoplay=1`
        : `https://www.youtube.com/embed/${id}?autoplay=1`,
      chat: isYoutubeChannel(id) ? null : `https://www.youtube.com/live_chat?v=${id}&embed_domain=${parent}`,
    });
  }
  if (channels.twitch !== undefined) {
    const channel = channels.twitch.toLowerCase();
    list.push({
      platform: 'Twitch',
      player: `https://player.twitch.tv/?channel=${channel}&parent=${parent}&autoplay=true`,
      chat: `https://www.twitch.tv/embed/${channel}/chat?parent=${parent}&darkpopout`,
    });
  }
  return list;
}
