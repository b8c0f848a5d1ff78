// A camera operator pressed "Call director" (protocol/talkback.ts `crew.call`): that camera's multiview
// tile flashes a CALL badge until the director clicks it, or for CREW_CALL_FLASH_MS.
import { CREW_CALL_FLASH_MS, type CrewCallDelivery } from '../../../protocol/index.ts';
import type { RealtimeClient } from '../../../client/index.ts';
import { h } from '../lib/dom.ts';
import { notify } from '../lib/notices.ts';
import type { Multiview } from './multiview.ts';

export class CrewCalls {
  readonly #calls = new Map<string, { badge: HTMLElement; timer: ReturnType<typeof setTimeout> }>();

  constructor(
    realtime: RealtimeClient,
    private readonly multiview: Multiview,
  ) {
    realtime.handle({ 'crew.call': (frame) => this.#call(frame) });
  }

  #call(frame: CrewCallDelivery): void {
    const camera = frame.from;
    const cell = this.multiview.cellElement(camera);
    if (cell === undefined) {
      notify('warning', `Camera ${camera} is calling the director.`);
      return;
    }
    this.#acknowledge(camera);
    const badge = h(
      'button',
      { type: 'button', class: 'call-badge', title: 'Calling the director: click to acknowledge' },
      'CALL',
    );
    badge.addEventListener('click', (event) => {
      event.stopPropagation();
      this.#acknowledge(camera);
    });
    cell.append(badge);
    cell.dataset.calling = 'true';
    this.#calls.set(camera, { badge, timer: setTimeout(() => this.#acknowledge(camera), CREW_CALL_FLASH_MS) });
  }

  #acknowledge(camera: string): void {
    const call = this.#calls.get(camera);
    if (call === undefined) return;
    this.#calls.delete(camera);
    clearTimeout(call.timer);
    const cell = call.badge.parentElement;
    call.badge.remove();
    if (cell !== null) delete cell.dataset.calling;
  }
}
