// QR codes operators show to a phone or a camera app: PNG for printing and screens, SVG for scaling. Never
// cached: what they encode carries a credential that can be rotated (join code, stream key).
import type { FastifyReply } from 'fastify';
import QRCode from 'qrcode';

export const QR_WIDTH_PX = 512;
export const QR_FORMATS = ['png', 'svg'] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

export async function sendQr(reply: FastifyReply, format: QrFormat, text: string): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  if (format === 'svg')
    return reply.type('image/svg+xml').send(await QRCode.toString(text, { type: 'svg', margin: 2 }));
  return reply.type('image/png').send(await QRCode.toBuffer(text, { type: 'png', width: QR_WIDTH_PX, margin: 2 }));
}
