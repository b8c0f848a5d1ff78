import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

/** Serves test-page.html over http://127.0.0.1 (a secure context with a real
 * origin: file:// pages cannot load the blob: AudioWorklet module). */
export async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  const html = await readFile(new URL('./test-page.html', import.meta.url));
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/test-page.html`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
