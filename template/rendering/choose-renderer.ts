// Which renderer the browser can really run fast. Without a GPU (Egress's Chrome, the recorder's
// Chromium) WebGL falls to SwiftShader: measured 4–5 fps at 1080p, while Pixi's canvas renderer holds
// the output rate. So WebGL only on a real GPU; `?renderer=` overrides for measurements.
import { autoDetectRenderer, type Renderer } from 'pixi.js';
import type { RendererName } from '../../protocol/index.ts';

/** Renderer strings of software GL implementations (Chrome's SwiftShader, Mesa's llvmpipe/softpipe). */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

export interface GpuProbe {
  /** The GL renderer string, or why there is none. */
  glRenderer: string;
  hardware: boolean;
}

export function probeGpu(): GpuProbe {
  const canvas = document.createElement('canvas');
  // failIfMajorPerformanceCaveat: Chrome refuses the context outright when it would be software GL.
  const gl =
    canvas.getContext('webgl2', { failIfMajorPerformanceCaveat: true }) ??
    canvas.getContext('webgl', { failIfMajorPerformanceCaveat: true });
  if (gl === null) return { glRenderer: 'none (no hardware WebGL)', hardware: false };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const glRenderer = String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { glRenderer, hardware: !SOFTWARE_GL.test(glRenderer) };
}

export interface ProgramRendererOptions {
  width: number;
  height: number;
  preference: RendererName | 'auto';
}

export interface ProgramRenderer {
  renderer: Renderer;
  name: RendererName;
  probe: GpuProbe;
}

export async function createProgramRenderer(options: ProgramRendererOptions): Promise<ProgramRenderer> {
  const probe = probeGpu();
  const wanted: RendererName =
    options.preference === 'auto' ? (probe.hardware ? 'webgl' : 'canvas') : options.preference;
  const renderer = await autoDetectRenderer({
    preference: [wanted, 'canvas'],
    width: options.width,
    height: options.height,
    resolution: 1,
    antialias: false,
    background: '#000000',
    // The recorder copies the canvas after each frame; WebGL must keep the drawing buffer for that.
    preserveDrawingBuffer: true,
    powerPreference: 'high-performance',
  });
  return { renderer, name: rendererName(renderer), probe };
}

function rendererName(renderer: Renderer): RendererName {
  // Pixi names its renderers 'webgl', 'webgpu' and 'canvas'.
  return renderer.name === 'webgpu' || renderer.name === 'webgl' ? renderer.name : 'canvas';
}
