// Everything Pitchside asks of LiveKit, through livekit-server-sdk only: room tokens with the smallest
// grants per role, program-state data messages to the room (the template inside Egress listens on
// PROGRAM_TOPIC), and webhook verification.
import {
  AccessToken,
  DataPacket_Kind,
  IngressClient,
  RoomServiceClient,
  TrackSource,
  WebhookReceiver,
  type VideoGrant,
  type WebhookEvent,
} from 'livekit-server-sdk';
import {
  LIVEKIT_TOKEN_TTL_MS,
  PROGRAM_TOPIC,
  type LiveKitToken,
  type Role,
  type StateMessage,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';

/**
 * A room token admits for this long. LiveKit itself keeps a connected participant's token fresh, so the
 * bound only matters to a token that leaves: a removed camera or a rotated key can rejoin the room for
 * at most this long. Pages fetch a new one before it runs out (LIVEKIT_TOKEN_REFRESH_BEFORE_MS).
 */
export const LIVEKIT_TOKEN_TTL_SECONDS = LIVEKIT_TOKEN_TTL_MS / 1000;

export interface LiveKitSettings {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** Roles that get a room token at all: viewers watch YouTube/Twitch, admins use a panel role's page. */
export type LiveKitRole = Extract<Role, 'camera' | 'director' | 'graphics' | 'template' | 'commentary'>;

/** The smallest grant each role needs. */
export function grantFor(role: LiveKitRole, room: string): VideoGrant {
  const base: VideoGrant = { room, roomJoin: true, canPublishData: false };
  switch (role) {
    case 'camera':
      // Its own camera and microphone; it watches nothing.
      return {
        ...base,
        canPublish: true,
        canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
        canSubscribe: false,
      };
    case 'commentary':
      // Its own microphone only (the identity is its seat id). It subscribes: the commentator's page plays
      // the program back (picture and a mix without their own voice) from the room's tracks.
      return { ...base, canPublish: true, canPublishSources: [TrackSource.MICROPHONE], canSubscribe: true };
    case 'director':
    case 'graphics':
      return { ...base, canPublish: false, canSubscribe: true };
    case 'template':
      // Egress's template joins hidden, so it never shows up as a participant to panels or cameras.
      return { ...base, canPublish: false, canSubscribe: true, hidden: true };
  }
}

export class LiveKitBridge {
  readonly rooms: RoomServiceClient;
  /** RTMP/WHIP cameras (see ingress-cameras.ts). */
  readonly ingress: IngressClient;
  readonly #receiver: WebhookReceiver;
  // One chain per room: data messages leave in the order their revisions were committed.
  readonly #sends = new Map<string, Promise<void>>();

  constructor(
    readonly settings: LiveKitSettings,
    private readonly onSendError: (room: string, error: unknown) => void,
  ) {
    this.rooms = new RoomServiceClient(settings.url, settings.apiKey, settings.apiSecret);
    this.ingress = new IngressClient(settings.url, settings.apiKey, settings.apiSecret);
    this.#receiver = new WebhookReceiver(settings.apiKey, settings.apiSecret);
  }

  async token(
    role: LiveKitRole,
    room: string,
    identity: string,
    name?: string,
    now = Date.now(),
  ): Promise<LiveKitToken> {
    const token = new AccessToken(this.settings.apiKey, this.settings.apiSecret, {
      identity,
      ttl: LIVEKIT_TOKEN_TTL_SECONDS,
      ...(name === undefined ? {} : { name }),
    });
    token.addGrant(grantFor(role, room));
    // The JWT's exp is in whole seconds from the signing time: answer the earliest it can be.
    const expiresAt = Math.floor(now / 1000) * 1000 + LIVEKIT_TOKEN_TTL_MS;
    return { url: this.settings.url, token: await token.toJwt(), room, identity, expiresAt };
  }

  /** Queue the state for the room (reliable, PROGRAM_TOPIC); failures are reported, not thrown. */
  sendState(room: string, message: StateMessage): void {
    const payload = new TextEncoder().encode(JSON.stringify(message));
    const previous = this.#sends.get(room) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        await this.rooms.sendData(room, payload, DataPacket_Kind.RELIABLE, { topic: PROGRAM_TOPIC });
      } catch (error) {
        this.onSendError(room, error);
      }
    });
    this.#sends.set(room, next);
    void next.then(() => {
      if (this.#sends.get(room) === next) this.#sends.delete(room);
    });
  }

  /** Verifies the signature (Authorization header: a JWT over the body's sha256) and parses the event. */
  receive(rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
    return this.#receiver.receive(rawBody, authorization);
  }

  /** Waits for queued data messages. */
  async close(): Promise<void> {
    await Promise.all(this.#sends.values());
  }
}

/** For routes that need LiveKit: a 409 saying what to configure when it is not. */
export function requireLiveKit(livekit: LiveKitBridge | null): LiveKitBridge {
  if (livekit === null)
    throw new AppError(
      409,
      'LIVEKIT_NOT_CONFIGURED',
      'LiveKit is not configured (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET).',
    );
  return livekit;
}
