// A local HTTP endpoint that speaks LiveKit's Twirp API, for tests: no LiveKit server runs on these
// machines. It checks what a real server checks before acting — the request's JWT (signed with the API
// secret, the grants the method needs) and the body (decoded strictly with @livekit/protocol, so an
// unknown or mistyped field fails) — records every accepted call, and keeps enough egress and ingress state
// to answer UpdateStream/ListEgress/StopEgress and ListIngress/DeleteIngress consistently.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  CreateIngressRequest,
  DeleteIngressRequest,
  EgressInfo,
  EgressStatus,
  IngressInfo,
  IngressInput,
  IngressState,
  IngressState_Status,
  ListEgressRequest,
  ListEgressResponse,
  ListIngressRequest,
  ListIngressResponse,
  ParticipantEgressRequest,
  ListParticipantsRequest,
  ListParticipantsResponse,
  RoomCompositeEgressRequest,
  SendDataRequest,
  SendDataResponse,
  StopEgressRequest,
  StreamInfo,
  StreamInfo_Status,
  UpdateLayoutRequest,
  UpdateStreamRequest,
  WebEgressRequest,
} from '@livekit/protocol';
import { AccessToken, TokenVerifier, type ClaimGrants } from 'livekit-server-sdk';

export const TEST_LIVEKIT_KEY = 'APItestkey';
export const TEST_LIVEKIT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TwirpCall {
  /** e.g. `livekit.Egress/StartRoomCompositeEgress` */
  method: string;
  /** The decoded protobuf request message. */
  request: unknown;
  grants: ClaimGrants;
}

type Handler = (
  request: unknown,
  grants: ClaimGrants,
) => { json: unknown } | { error: { status: number; code: string; msg: string } };

interface MethodSpec {
  decode: (json: unknown) => unknown;
  /** The video grant the real server requires for this method. */
  needs: 'roomRecord' | 'roomAdmin' | 'roomList' | 'ingressAdmin';
  handle: Handler;
}

/** Where the stub says encoders publish (livekit.yaml `ingress.rtmp_base_url` / `whip_base_url` on a real server). */
export const STUB_RTMP_BASE_URL = 'rtmp://ingress.stub.test:1935/x';
export const STUB_WHIP_BASE_URL = 'https://ingress.stub.test/w';

export class LiveKitTwirpStub {
  readonly calls: TwirpCall[] = [];
  readonly egresses = new Map<string, EgressInfo>();
  readonly ingresses = new Map<string, IngressInfo>();
  #server: Server | null = null;
  #url = '';
  readonly #verifier: TokenVerifier;
  readonly #methods: Record<string, MethodSpec>;

  constructor(
    readonly apiKey = TEST_LIVEKIT_KEY,
    readonly apiSecret = TEST_LIVEKIT_SECRET,
  ) {
    this.#verifier = new TokenVerifier(apiKey, apiSecret);
    const strict = { ignoreUnknownFields: false };
    this.#methods = {
      'livekit.Egress/StartRoomCompositeEgress': {
        decode: (j) => RoomCompositeEgressRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => ({
          json: this.#startEgress((r as RoomCompositeEgressRequest).roomName, r as RoomCompositeEgressRequest).toJson(),
        }),
      },
      'livekit.Egress/StartParticipantEgress': {
        decode: (j) => ParticipantEgressRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => ({
          json: this.#startEgress((r as ParticipantEgressRequest).roomName, r as ParticipantEgressRequest).toJson(),
        }),
      },
      'livekit.Egress/StartWebEgress': {
        decode: (j) => WebEgressRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => ({ json: this.#startEgress('', r as WebEgressRequest).toJson() }),
      },
      'livekit.Egress/UpdateStream': {
        decode: (j) => UpdateStreamRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => this.#updateStream(r as UpdateStreamRequest),
      },
      'livekit.Egress/UpdateLayout': {
        decode: (j) => UpdateLayoutRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => this.#withEgress((r as UpdateLayoutRequest).egressId, (info) => info),
      },
      'livekit.Egress/ListEgress': {
        decode: (j) => ListEgressRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) => {
          const req = r as ListEgressRequest;
          const items = [...this.egresses.values()].filter(
            (e) =>
              (req.roomName === '' || e.roomName === req.roomName) &&
              (!req.active || e.status <= EgressStatus.EGRESS_ACTIVE),
          );
          return { json: new ListEgressResponse({ items }).toJson() };
        },
      },
      'livekit.Egress/StopEgress': {
        decode: (j) => StopEgressRequest.fromJson(j as never, strict),
        needs: 'roomRecord',
        handle: (r) =>
          this.#withEgress((r as StopEgressRequest).egressId, (info) => {
            info.status = EgressStatus.EGRESS_ENDING;
            return info;
          }),
      },
      'livekit.Ingress/CreateIngress': {
        decode: (j) => CreateIngressRequest.fromJson(j as never, strict),
        needs: 'ingressAdmin',
        handle: (r) => this.#createIngress(r as CreateIngressRequest),
      },
      'livekit.Ingress/ListIngress': {
        decode: (j) => ListIngressRequest.fromJson(j as never, strict),
        needs: 'ingressAdmin',
        handle: (r) => {
          const req = r as ListIngressRequest;
          const items = [...this.ingresses.values()].filter(
            (i) =>
              (req.roomName === '' || i.roomName === req.roomName) &&
              (req.ingressId === '' || i.ingressId === req.ingressId),
          );
          return { json: new ListIngressResponse({ items }).toJson() };
        },
      },
      'livekit.Ingress/DeleteIngress': {
        decode: (j) => DeleteIngressRequest.fromJson(j as never, strict),
        needs: 'ingressAdmin',
        handle: (r) => {
          const { ingressId } = r as DeleteIngressRequest;
          const info = this.ingresses.get(ingressId);
          if (info === undefined)
            return { error: { status: 404, code: 'not_found', msg: `ingress ${ingressId} not found` } };
          this.ingresses.delete(ingressId);
          return { json: info.toJson() };
        },
      },
      'livekit.RoomService/SendData': {
        decode: (j) => SendDataRequest.fromJson(j as never, strict),
        needs: 'roomAdmin',
        handle: () => ({ json: new SendDataResponse().toJson() }),
      },
      'livekit.RoomService/ListParticipants': {
        decode: (j) => ListParticipantsRequest.fromJson(j as never, strict),
        needs: 'roomAdmin',
        handle: () => ({ json: new ListParticipantsResponse({ participants: [] }).toJson() }),
      },
    };
  }

  get url(): string {
    return this.#url;
  }

  /** Calls of one method, decoded, oldest first. */
  callsOf<T>(method: string): T[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.request as T);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    this.#url = `http://127.0.0.1:${address.port}`;
    return this.#url;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** An Authorization header value as LiveKit signs webhooks: a JWT carrying the body's sha256. */
  async signWebhook(body: string): Promise<string> {
    const { createHash } = await import('node:crypto');
    const token = new AccessToken(this.apiKey, this.apiSecret);
    token.sha256 = createHash('sha256').update(body).digest('base64');
    return token.toJwt();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const twirpError = (status: number, code: string, msg: string): void => send(status, { code, msg });
    const path = req.url ?? '';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (!path.startsWith('/twirp/')) return twirpError(404, 'not_found', `no route ${path}`);
    const method = path.slice('/twirp/'.length);
    const spec = this.#methods[method];
    if (spec === undefined) return twirpError(404, 'bad_route', `stub does not implement ${method}`);
    if (req.method !== 'POST') return twirpError(400, 'bad_route', 'Twirp needs POST');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return twirpError(400, 'malformed', 'content-type must be application/json');
    }
    const auth = req.headers.authorization ?? '';
    let grants: ClaimGrants;
    try {
      if (!auth.startsWith('Bearer ')) throw new Error('missing bearer token');
      grants = await this.#verifier.verify(auth.slice('Bearer '.length));
    } catch (error) {
      return twirpError(401, 'unauthenticated', `invalid token: ${(error as Error).message}`);
    }
    if (grants.video?.[spec.needs] !== true) {
      return twirpError(403, 'permission_denied', `${method} needs the ${spec.needs} grant`);
    }
    let request: unknown;
    try {
      request = spec.decode(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (error) {
      return twirpError(400, 'malformed', `body does not decode: ${(error as Error).message}`);
    }
    const result = spec.handle(request, grants);
    if ('error' in result) return twirpError(result.error.status, result.error.code, result.error.msg);
    this.calls.push({ method, request, grants });
    send(200, result.json);
  }

  #startEgress(
    roomName: string,
    request: RoomCompositeEgressRequest | WebEgressRequest | ParticipantEgressRequest,
  ): EgressInfo {
    const egressId = `EG_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const urls = request.streamOutputs.flatMap((s) => s.urls);
    const info = new EgressInfo({
      egressId,
      roomName,
      status: EgressStatus.EGRESS_STARTING,
      startedAt: BigInt(Date.now()) * 1_000_000n,
      streamResults: urls.map((url) => new StreamInfo({ url, status: StreamInfo_Status.ACTIVE })),
    });
    this.egresses.set(egressId, info);
    return info;
  }

  /** What LiveKit server checks before it asks Ingress for an endpoint. */
  #createIngress(request: CreateIngressRequest): ReturnType<Handler> {
    const invalid = (msg: string) => ({ error: { status: 400, code: 'invalid_argument', msg } });
    if (request.roomName === '') return invalid('room name is required');
    if (request.participantIdentity === '') return invalid('participant identity is required');
    const whip = request.inputType === IngressInput.WHIP_INPUT;
    if (!whip && request.inputType !== IngressInput.RTMP_INPUT) return invalid('stub: only RTMP and WHIP');
    if (!whip && (request.enableTranscoding === false || request.bypassTranscoding))
      return invalid('bypassing transcoding is only supported for WHIP');
    const info = new IngressInfo({
      ingressId: `IN_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      name: request.name,
      streamKey: randomUUID().replaceAll('-', ''),
      url: whip ? STUB_WHIP_BASE_URL : STUB_RTMP_BASE_URL,
      inputType: request.inputType,
      bypassTranscoding: request.bypassTranscoding,
      ...(request.enableTranscoding === undefined ? {} : { enableTranscoding: request.enableTranscoding }),
      roomName: request.roomName,
      participantIdentity: request.participantIdentity,
      participantName: request.participantName,
      participantMetadata: request.participantMetadata,
      reusable: !whip,
      state: new IngressState({ status: IngressState_Status.ENDPOINT_INACTIVE }),
      enabled: request.enabled ?? true,
    });
    this.ingresses.set(info.ingressId, info);
    return { json: info.toJson() };
  }

  #withEgress(egressId: string, change: (info: EgressInfo) => EgressInfo): ReturnType<Handler> {
    const info = this.egresses.get(egressId);
    if (info === undefined) return { error: { status: 404, code: 'not_found', msg: `egress ${egressId} not found` } };
    return { json: change(info).toJson() };
  }

  #updateStream(request: UpdateStreamRequest): ReturnType<Handler> {
    return this.#withEgress(request.egressId, (info) => {
      const removed = new Set(request.removeOutputUrls);
      info.streamResults = [
        ...info.streamResults.filter((s) => !removed.has(s.url)),
        ...request.addOutputUrls.map((url) => new StreamInfo({ url, status: StreamInfo_Status.ACTIVE })),
      ];
      return info;
    });
  }
}
