// What a test opened and must close when it ends (controller apps, …), closed newest first by the
// afterEach in tests/setup.ts. The hook is there, not at the top of a helper module: a setup file runs for
// every test file, while a helper module is evaluated once per worker where files share one (the unit lane),
// so its hook would close things only for the first file that imported it.
const opened: Array<() => Promise<unknown>> = [];

export function closeAfterTest(close: () => Promise<unknown>): void {
  opened.push(close);
}

export async function closeOpened(): Promise<void> {
  while (opened.length > 0) await opened.pop()?.();
}
