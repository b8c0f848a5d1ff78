// A full-frame line-up (OGraf v1 web component). Step 0: the team's title card over a band of its colour;
// step 1: the players, over the whole frame in the team's colour. Animations are short CSS transitions, so
// every renderer reaches the same picture; skipAnimation jumps straight to it (a page reloaded mid-show).
const STEP_STYLES = [
  { inset: '40% 0 40% 0', opacity: '1' },
  { inset: '0 0 0 0', opacity: '1' },
];

class LineupGraphic extends HTMLElement {
  async load({ data }) {
    this.data = { ...data };
    this.step = undefined;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <style>
        .band { position: absolute; opacity: 0; transition: inset 300ms ease-out, opacity 300ms ease-out; display: flex;
          flex-direction: column; align-items: center; justify-content: center; font: bold 64px sans-serif; color: #fff; }
        .band.instant { transition: none; }
        .players { font: 36px sans-serif; margin-top: 24px; display: none; }
      </style>
      <div class="band" style="inset: 50% 0 50% 0"><div class="team"></div><div class="players"></div></div>`;
    this.band = root.querySelector('.band');
    this.render();
    return { statusCode: 200 };
  }

  render() {
    this.band.style.background = this.data.colour;
    this.band.querySelector('.team').textContent = `${this.data.team} · ${this.data.formation ?? ''}`;
    this.band.querySelector('.players').textContent = this.data.players ?? '';
  }

  show(step, skipAnimation) {
    this.band.classList.toggle('instant', Boolean(skipAnimation));
    if (step === undefined) {
      this.band.style.opacity = '0';
      return;
    }
    Object.assign(this.band.style, STEP_STYLES[step]);
    this.band.querySelector('.players').style.display = step === 1 ? 'block' : 'none';
  }

  async playAction({ delta = 1, goto, skipAnimation } = {}) {
    const target = Number.isInteger(goto) ? goto : (this.step ?? -1) + delta;
    this.step = target >= STEP_STYLES.length ? undefined : Math.max(0, target);
    this.show(this.step, skipAnimation);
    return { statusCode: 200, currentStep: this.step };
  }

  async updateAction({ data }) {
    this.data = { ...this.data, ...data };
    this.render();
    return { statusCode: 200 };
  }

  async stopAction({ skipAnimation } = {}) {
    this.step = undefined;
    this.show(undefined, skipAnimation);
    return { statusCode: 200 };
  }

  async customAction() {
    return { statusCode: 400, statusMessage: 'No custom actions' };
  }

  async dispose() {
    this.shadowRoot.innerHTML = '';
    return { statusCode: 200 };
  }
}

export default LineupGraphic;
