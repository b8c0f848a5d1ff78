// A team's scorebug logo, wherever a team is edited (graphics desk, event console): the logo on air now
// as a thumbnail, a file picker that uploads at once (the controller checks the bytes and puts the id on
// the scorebug) and Remove. Not part of any form's save: the scorebug changes when the upload is accepted.
import { LOGO_FORMATS, logoPath, type LogoId, type TeamSide } from '../../../protocol/index.ts';
import type { ApiClient } from './api-client.ts';
import { h } from './dom.ts';
import { attempt } from './notices.ts';
import '../styles/team-logo-picker.css';

export const SIDE_LABEL: Record<TeamSide, string> = { home: 'Home', away: 'Away' };

export class TeamLogoPicker {
  readonly element: HTMLElement;
  readonly #thumb: HTMLImageElement;
  readonly #input: HTMLInputElement;
  readonly #remove: HTMLButtonElement;
  #logo: LogoId | null = null;

  constructor(api: ApiClient, eventId: string, side: TeamSide) {
    const what = `${SIDE_LABEL[side]} logo`;
    const path = `/api/events/${encodeURIComponent(eventId)}/teams/${side}/logo`;
    this.#thumb = h('img', { class: 'logo-thumb', id: `${side}-logo-thumb`, alt: '', width: 40, height: 40 });
    // The native picker's "No file chosen" says nothing about the logo on air; a button-like label does
    // the picking and the thumbnail shows what the scorebug has.
    this.#input = h('input', {
      type: 'file',
      id: `${side}-logo`,
      class: 'sr-only',
      accept: Object.values(LOGO_FORMATS).join(','),
      'aria-label': what,
    });
    const pick = h('label', { class: 'logo-upload', for: `${side}-logo` }, 'Upload…');
    this.#input.addEventListener('change', () => {
      const file = this.#input.files?.[0];
      if (file === undefined) return;
      this.#input.disabled = true;
      pick.textContent = 'Uploading…';
      void attempt(what, () => api.upload('PUT', path, file)).finally(() => {
        this.#input.value = '';
        this.#input.disabled = false;
        pick.textContent = 'Upload…';
      });
    });
    this.#remove = h(
      'button',
      {
        type: 'button',
        id: `${side}-logo-remove`,
        disabled: true,
        onclick: () => void attempt(what, () => api.request('DELETE', path)),
      },
      'Remove',
    );
    this.element = h(
      'div',
      { class: 'logo-picker', 'data-logo': 'none' },
      h('span', { class: 'logo-label' }, 'Logo'),
      this.#thumb,
      this.#input,
      pick,
      this.#remove,
    );
  }

  /** The logo the scorebug has now (from the program state). */
  update(logo: LogoId | null | undefined): void {
    const now = logo ?? null;
    if (now === this.#logo) return;
    this.#logo = now;
    if (now === null) this.#thumb.removeAttribute('src');
    else this.#thumb.src = logoPath(now);
    this.#thumb.alt = now === null ? '' : 'Logo on the scorebug';
    this.element.dataset.logo = now === null ? 'none' : 'set';
    this.#remove.disabled = now === null;
  }
}
