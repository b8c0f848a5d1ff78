// Entry of the program template page. Fatal errors (the page cannot render the program at all) go into
// div.error, which Egress reads to fail the job; everything recoverable is retried and logged.
import { createLogger, parseTemplateQuery } from './config/index.ts';
import { ProgramPage } from './program-page.ts';
import { linkParams } from '../protocol/index.ts';

const log = createLogger('main');

function showFatal(message: string): void {
  log.error(message);
  let div = document.querySelector<HTMLDivElement>('div.error');
  if (div === null) {
    div = document.createElement('div');
    div.className = 'error';
    document.body.appendChild(div);
  }
  div.textContent = message;
}

async function main(): Promise<void> {
  // The key and the pass come in the fragment (the URL's query still works: older links, tests).
  const parsed = parseTemplateQuery(`?${linkParams(location.search, location.hash).toString()}`, {
    windowWidth: window.innerWidth,
    windowHeight: window.innerHeight,
  });
  if (!parsed.ok) {
    showFatal(`Template URL: ${parsed.field} ${parsed.message}`);
    return;
  }
  const config = parsed.config;
  const page = new ProgramPage(config);
  const standIn = config.standInRoom
    ? async () => {
        const { StandInRoom } = await import('./egress/stand-in-room.ts');
        const room = new StandInRoom();
        return { room: room.asRoom(), handle: room };
      }
    : undefined;
  try {
    await page.start(standIn);
  } catch (error) {
    showFatal(`Program template could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

void main();
