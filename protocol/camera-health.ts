// A camera's link as its own page measures it (RTCPeerConnection.getStats() of what it sends), reported
// to the controller every few seconds and shown on the director's multiview tile, in the camera list and
// on the camera page. One set of thresholds decides green / amber / red everywhere.
import { Type, type Static } from '@sinclair/typebox';

export const CameraHealthSchema = Type.Object(
  {
    /** Receiving pages this camera has a connected peer connection to. */
    peers: Type.Integer({ minimum: 0, maximum: 64 }),
    /** The largest picture it sends (the full-quality one when a program renderer receives it). */
    width: Type.Integer({ minimum: 0, maximum: 8192 }),
    height: Type.Integer({ minimum: 0, maximum: 8192 }),
    fps: Type.Number({ minimum: 0, maximum: 240 }),
    /** Everything it sends, all receivers together: what its uplink carries. */
    bitrateKbps: Type.Number({ minimum: 0, maximum: 1_000_000 }),
    /** Worst receiver's packet loss (RTCP receiver reports), percent. */
    packetLossPct: Type.Number({ minimum: 0, maximum: 100 }),
    /** Worst receiver's round-trip time, ms (null until RTCP has measured one). */
    rttMs: Type.Union([Type.Number({ minimum: 0, maximum: 60_000 }), Type.Null()]),
    /** Battery charge 0–100 and whether it charges, where the browser exposes it. */
    batteryPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    charging: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CameraHealth = Static<typeof CameraHealthSchema>;

/** Camera page → controller. */
export const CameraHealthMessageSchema = Type.Object(
  { type: Type.Literal('camera.health'), health: CameraHealthSchema },
  { additionalProperties: false },
);
export type CameraHealthMessage = Static<typeof CameraHealthMessageSchema>;

/** How often a camera page reports; the controller stores it and sends the camera list on. */
export const CAMERA_HEALTH_INTERVAL_MS = 2000;

export type HealthLevel = 'good' | 'warning' | 'bad';

/** Past these a tile badge turns amber (warning) or red (bad). */
export const HEALTH_THRESHOLDS = {
  packetLossPct: { warning: 2, bad: 8 },
  rttMs: { warning: 150, bad: 400 },
  /** Below these frame rates the picture stutters visibly. */
  fps: { warning: 24, bad: 12 },
  batteryPct: { warning: 20, bad: 8 },
} as const;

/** The worst of the measured values, each against its thresholds. */
export function healthLevel(health: CameraHealth): HealthLevel {
  if (health.peers === 0) return 'warning';
  const t = HEALTH_THRESHOLDS;
  const battery = health.charging === true ? undefined : health.batteryPct;
  const levels: HealthLevel[] = [
    above(health.packetLossPct, t.packetLossPct),
    health.rttMs === null ? 'good' : above(health.rttMs, t.rttMs),
    below(health.fps, t.fps),
    battery === undefined ? 'good' : below(battery, t.batteryPct),
  ];
  return levels.includes('bad') ? 'bad' : levels.includes('warning') ? 'warning' : 'good';
}

function above(value: number, limits: { warning: number; bad: number }): HealthLevel {
  return value >= limits.bad ? 'bad' : value >= limits.warning ? 'warning' : 'good';
}

function below(value: number, limits: { warning: number; bad: number }): HealthLevel {
  return value < limits.bad ? 'bad' : value < limits.warning ? 'warning' : 'good';
}

/** One line for a badge or a list: "1280×720 30 fps · 2.4 Mbit/s · 0.0 % loss · 12 ms". */
export function describeHealth(health: CameraHealth): string {
  const parts = [
    health.width > 0 ? `${health.width}×${health.height} ${Math.round(health.fps)} fps` : 'no picture sent',
    health.bitrateKbps >= 1000
      ? `${(health.bitrateKbps / 1000).toFixed(1)} Mbit/s`
      : `${Math.round(health.bitrateKbps)} kbit/s`,
    `${health.packetLossPct.toFixed(1)} % loss`,
    health.rttMs === null ? 'RTT —' : `${Math.round(health.rttMs)} ms`,
  ];
  if (health.batteryPct !== undefined)
    parts.push(`battery ${Math.round(health.batteryPct)} %${health.charging === true ? ' ⚡' : ''}`);
  return parts.join(' · ');
}
