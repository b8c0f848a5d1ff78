// The event's public channels, as the producer puts them on the viewer link
// (/watch?event=ID&key=VIEWER_KEY&youtube=VIDEO_ID&twitch=CHANNEL). Only public ids: a stream key never
// belongs here, and the patterns below reject anything that is not a plain id.
export interface Channels {
  /** A YouTube live video id (11 chars) or channel id (UC…, 24 chars). */
  youtube: string | null;
  twitch: string | null;
}

const YOUTUBE_VIDEO = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_CHANNEL = /^UC[A-Za-z0-9_-]{22}$/;
const TWITCH_CHANNEL = /^[A-Za-z0-9_]{3,25}$/;

export function readChannels(query: URLSearchParams): Channels {
  const youtube = query.get('youtube');
  const twitch = query.get('twitch');
  return {
    youtube: youtube !== null && (YOUTUBE_VIDEO.test(youtube) || YOUTUBE_CHANNEL.test(youtube)) ? youtube : null,
    twitch: twitch !== null && TWITCH_CHANNEL.test(twitch) ? twitch.toLowerCase() : null,
  };
}

export interface Embed {
  platform: 'YouTube' | 'Twitch';
  player: string;
  /** YouTube only offers chat for a video id, not for a channel's live stream. */
  chat: string | null;
}

export function embeds(channels: Channels, host: string): Embed[] {
  const list: Embed[] = [];
  if (channels.youtube !== null) {
    const isChannel = YOUTUBE_CHANNEL.test(channels.youtube);
    list.push({
      platform: 'YouTube',
      player: isChannel
        ? `https://www.youtube.com/embed/live_stream?channel=${channels.youtube}&autoplay=1`
        : `https://www.youtube.com/embed/${channels.youtube}?autoplay=1`,
      chat: isChannel ? null : `https://www.youtube.com/live_chat?v=${channels.youtube}&embed_domain=${encodeURIComponent(host)}`,
    });
  }
  if (channels.twitch !== null) {
    const parent = encodeURIComponent(host);
    list.push({
      platform: 'Twitch',
      player: `https://player.twitch.tv/?channel=${channels.twitch}&parent=${parent}&autoplay=true`,
      chat: `https://www.twitch.tv/embed/${channels.twitch}/chat?parent=${parent}&darkpopout`,
    });
  }
  return list;
}
