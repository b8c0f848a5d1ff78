// RTMP/WHIP cameras through LiveKit Ingress: one ingress per camera, publishing into the event's room as
// the camera's own participant identity (so it is a program source like a phone). LiveKit keeps the stream
// key; Pitchside stores only the ingress id and reads the key back when an operator asks, so it is never
// in Redis, a `cameras` frame or a log line.
import { IngressState_Status, IngressInput as LiveKitIngressInput, type IngressInfo } from '@livekit/protocol';
import { TwirpError, type IngressClient } from 'livekit-server-sdk';
import {
  maskSecrets,
  type CameraIngress,
  type CameraStatus,
  type IngressCameraAccess,
  type IngressInput,
  type IngressState,
} from '../../protocol/index.ts';
import { AppError } from './app-error.ts';

const LIVEKIT_INPUT: Record<IngressInput, LiveKitIngressInput> = {
  whip: LiveKitIngressInput.WHIP_INPUT,
  rtmp: LiveKitIngressInput.RTMP_INPUT,
};

/** LiveKit's error text is shown to operators; it is cut so a runaway message cannot flood the log. */
const MAX_ERROR_CHARS = 500;

export interface IngressCameraRequest {
  room: string;
  eventId: string;
  cameraId: string;
  label: string;
  input: IngressInput;
  transcode: boolean;
}

export class IngressCameras {
  constructor(private readonly client: IngressClient) {}

  /** Creates the camera's ingress; nothing is stored in Pitchside until this succeeded. */
  async create(request: IngressCameraRequest): Promise<{ ingress: CameraIngress; info: IngressInfo }> {
    const info = await this.#call('create the ingress', () =>
      this.client.createIngress(LIVEKIT_INPUT[request.input], {
        // Names the camera in LiveKit's own listings (`lk ingress list`), so an operator can match them up.
        name: `${request.eventId}/${request.cameraId}`,
        roomName: request.room,
        participantIdentity: request.cameraId,
        participantName: request.label,
        enableTranscoding: request.transcode,
      }),
    );
    const ingress: CameraIngress = {
      ingressId: info.ingressId,
      input: request.input,
      transcode: request.transcode,
      state: 'waiting',
    };
    return { ingress, info };
  }

  /** The URL and key the encoder needs, read back from LiveKit (the one place the key is kept). */
  async access(ingress: CameraIngress, qrBase: string): Promise<IngressCameraAccess> {
    const [info] = await this.#call('read the ingress', () =>
      this.client.listIngress({ ingressId: ingress.ingressId }),
    );
    if (info === undefined)
      throw new AppError(
        502,
        'INGRESS_MISSING',
        `LiveKit no longer has ingress ${ingress.ingressId}; remove the camera and add it again.`,
      );
    return accessOf(ingress.input, info, qrBase);
  }

  /** Deletes the ingress; one LiveKit no longer has counts as deleted. */
  async delete(ingressId: string): Promise<void> {
    try {
      await this.client.deleteIngress(ingressId);
    } catch (error) {
      if (error instanceof TwirpError && error.status === 404) return;
      throw liveKitFailure('delete the ingress', error);
    }
  }

  async #call<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw liveKitFailure(action, error);
    }
  }
}

export function accessOf(input: IngressInput, info: IngressInfo, qrBase: string): IngressCameraAccess {
  const url = info.url.replace(/\/+$/, '');
  return {
    input,
    url,
    streamKey: info.streamKey,
    publishUrl: `${url}/${info.streamKey}`,
    qr: { png: `${qrBase}.png`, svg: `${qrBase}.svg` },
  };
}

/** What an ingress webhook means for the camera: its encoder state, camera status, and LiveKit's error. */
export function ingressChange(info: IngressInfo): { state: IngressState; status: CameraStatus; error?: string } {
  const error = info.state?.error ? maskSecrets(info.state.error).slice(0, MAX_ERROR_CHARS) : undefined;
  switch (info.state?.status) {
    case IngressState_Status.ENDPOINT_BUFFERING:
      return { state: 'buffering', status: 'registered' };
    case IngressState_Status.ENDPOINT_PUBLISHING:
      return { state: 'publishing', status: 'live' };
    case IngressState_Status.ENDPOINT_ERROR:
      return { state: 'error', status: 'disconnected', ...(error === undefined ? {} : { error }) };
    case IngressState_Status.ENDPOINT_COMPLETE:
    case IngressState_Status.ENDPOINT_INACTIVE:
    default:
      return { state: 'ended', status: 'disconnected' };
  }
}

function liveKitFailure(action: string, error: unknown): AppError {
  const detail = error instanceof TwirpError ? `${error.status} ${error.message}` : (error as Error).message;
  return new AppError(502, 'LIVEKIT_ERROR', `LiveKit could not ${action}: ${maskSecrets(detail)}`);
}
