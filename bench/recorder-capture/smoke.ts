import { Recorder } from '../../worker/recorder/recorder.ts';
import { servePage } from './serve-page.ts';
const [w, h, secs] = [+(process.argv[2] ?? 1280), +(process.argv[3] ?? 720), +(process.argv[4] ?? 5)];
(await import('node:fs')).mkdirSync('/tmp/rc', { recursive: true });
const srv = await servePage();
const rec = new Recorder({
  url: `${srv.url}?w=${w}&h=${h}&fps=30`,
  width: w,
  height: h,
  fps: 30,
  outputs: [{ id: 'file', kind: 'file', path: '/tmp/rc/smoke.mp4' }],
  onLog: (m) => console.log(m),
});
console.log(await rec.start());
await new Promise((r) => setTimeout(r, secs * 1000));
console.log(JSON.stringify(await rec.close()));
await srv.close();
