// A phone camera's lens controls: what its video track offers (`MediaStreamTrack.getCapabilities()`), what
// it runs at (`getSettings()`), and what the director may ask of it. The camera page reports the first two;
// the director's tile and Cameras panel show them and send a CameraControl, which the controller checks
// against the last report before it reaches the page. No api.ts import here: api.ts's Camera carries this.
import { Type, type Static } from '@sinclair/typebox';

/** Picture sizes a director can ask a camera for (16:9, as the program template lays them out). */
export const CAMERA_SIZES = {
  '360p': { width: 640, height: 360 },
  '540p': { width: 960, height: 540 },
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
} as const;
export type CameraSize = keyof typeof CAMERA_SIZES;
export const CAMERA_FRAME_RATES = [15, 24, 25, 30, 50, 60] as const;
export type CameraFrameRate = (typeof CAMERA_FRAME_RATES)[number];

export const CameraSizeSchema = Type.Union(
  Object.keys(CAMERA_SIZES).map((size) => Type.Literal(size as CameraSize)),
  {
    description: Object.entries(CAMERA_SIZES)
      .map(([k, s]) => `${k} (${s.width}×${s.height})`)
      .join(', '),
  },
);
export const CameraFrameRateSchema = Type.Union(CAMERA_FRAME_RATES.map((rate) => Type.Literal(rate)));

const RangeSchema = Type.Object(
  { min: Type.Number({ minimum: 0, maximum: 100_000 }), max: Type.Number({ minimum: 0, maximum: 100_000 }) },
  { additionalProperties: false },
);
/** A short list of mode names (`continuous`, `manual`, `single-shot`, `none`): what the browser reports. */
const ModesSchema = Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 8 });

/** What the device offers; a control it lacks is absent here and shown nowhere. */
export const CameraCapabilitiesSchema = Type.Object(
  {
    zoom: Type.Optional(
      Type.Object(
        {
          min: Type.Number({ minimum: 0, maximum: 1000 }),
          max: Type.Number({ minimum: 0, maximum: 1000 }),
          step: Type.Number({ minimum: 0, maximum: 1000 }),
        },
        { additionalProperties: false },
      ),
    ),
    torch: Type.Optional(Type.Boolean()),
    focusModes: Type.Optional(ModesSchema),
    exposureModes: Type.Optional(ModesSchema),
    width: Type.Optional(RangeSchema),
    height: Type.Optional(RangeSchema),
    frameRate: Type.Optional(RangeSchema),
  },
  { additionalProperties: false },
);
export type CameraCapabilities = Static<typeof CameraCapabilitiesSchema>;

/** What the device runs at now: after a control, what it accepted (which may differ from what was asked). */
export const CameraSettingsSchema = Type.Object(
  {
    zoom: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    torch: Type.Optional(Type.Boolean()),
    focusMode: Type.Optional(Type.String({ maxLength: 32 })),
    exposureMode: Type.Optional(Type.String({ maxLength: 32 })),
    width: Type.Integer({ minimum: 0, maximum: 8192 }),
    height: Type.Integer({ minimum: 0, maximum: 8192 }),
    frameRate: Type.Number({ minimum: 0, maximum: 240 }),
    facingMode: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type CameraSettings = Static<typeof CameraSettingsSchema>;

/** The controller's id of one director request, echoed by the camera in its next report. */
export const ControlIdSchema = Type.String({ pattern: '^ctl-[a-f0-9]{16}$' });

/** What the director asks of one camera; only the fields given change. */
export const CameraControlSchema = Type.Object(
  {
    /** The device's own zoom factor, within its reported range (1 = widest on most phones). */
    zoom: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    torch: Type.Optional(Type.Boolean()),
    size: Type.Optional(CameraSizeSchema),
    frameRate: Type.Optional(CameraFrameRateSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CameraControl = Static<typeof CameraControlSchema>;

/** The camera page's report: sent when it starts capturing, on every change, and in answer to a control. */
export const CameraDeviceSchema = Type.Object(
  {
    capabilities: CameraCapabilitiesSchema,
    settings: CameraSettingsSchema,
    /** The last director control this page handled, and whether the device took it. */
    applied: Type.Optional(
      Type.Object(
        { id: ControlIdSchema, ok: Type.Boolean(), message: Type.Optional(Type.String({ maxLength: 300 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CameraDevice = Static<typeof CameraDeviceSchema>;

/** A control the device cannot take, named by field, before it is sent (the controller answers 422). */
export interface ControlRefusal {
  field: string;
  code: 'NO_ZOOM' | 'ZOOM_OUT_OF_RANGE' | 'NO_TORCH' | 'SIZE_UNSUPPORTED' | 'FRAME_RATE_UNSUPPORTED';
  message: string;
}

/**
 * Checks a control against the device's last report. Out-of-range zoom is refused (with the range) rather
 * than clamped: a director who typed 10× on a 5× phone should learn the limit, not get a silent 5×.
 */
export function checkControl(control: CameraControl, capabilities: CameraCapabilities): ControlRefusal | null {
  const { zoom, torch, width, height, frameRate } = capabilities;
  if (control.zoom !== undefined) {
    if (zoom === undefined) return { field: '/zoom', code: 'NO_ZOOM', message: 'This camera has no zoom.' };
    if (control.zoom < zoom.min || control.zoom > zoom.max)
      return {
        field: '/zoom',
        code: 'ZOOM_OUT_OF_RANGE',
        message: `Zoom ${control.zoom} is outside this camera's range ${zoom.min}–${zoom.max}.`,
      };
  }
  if (control.torch === true && torch !== true)
    return { field: '/torch', code: 'NO_TORCH', message: 'This camera has no torch.' };
  if (control.size !== undefined) {
    const size = CAMERA_SIZES[control.size];
    if ((width !== undefined && size.width > width.max) || (height !== undefined && size.height > height.max))
      return {
        field: '/size',
        code: 'SIZE_UNSUPPORTED',
        message: `This camera captures at most ${width?.max ?? '?'}×${height?.max ?? '?'}.`,
      };
  }
  if (control.frameRate !== undefined && frameRate !== undefined && control.frameRate > frameRate.max)
    return {
      field: '/frameRate',
      code: 'FRAME_RATE_UNSUPPORTED',
      message: `This camera captures at most ${frameRate.max} fps.`,
    };
  return null;
}

/** Focus or exposure can be locked (and unlocked again) when the device offers a fixed and a continuous mode. */
export function lockMode(modes: readonly string[] | undefined): string | null {
  if (modes?.includes('continuous') !== true) return null;
  return modes.includes('single-shot') ? 'single-shot' : modes.includes('manual') ? 'manual' : null;
}

/** One line for a list: "zoom 2.0× · torch on · 1280×720 30 fps". */
export function describeDevice(device: CameraDevice): string {
  const { capabilities, settings } = device;
  const parts: string[] = [];
  parts.push(capabilities.zoom === undefined ? 'no zoom' : `zoom ${(settings.zoom ?? 1).toFixed(1)}×`);
  if (capabilities.torch === true) parts.push(`torch ${settings.torch === true ? 'on' : 'off'}`);
  if (settings.focusMode !== undefined && lockMode(capabilities.focusModes) !== null)
    parts.push(settings.focusMode === 'continuous' ? 'focus auto' : 'focus locked');
  parts.push(`${settings.width}×${settings.height} ${Math.round(settings.frameRate)} fps`);
  return parts.join(' · ');
}
