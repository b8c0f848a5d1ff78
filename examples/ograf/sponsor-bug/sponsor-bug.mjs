// A sponsor bug (OGraf v1 web component): a box of the sponsor's colour with its name, top right.
class SponsorBug extends HTMLElement {
  async load({ data }) {
    this.data = { sponsor: 'Sponsor', colour: '#ffd100', large: false, ...data };
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <style>
        .bug { position: absolute; top: 5%; right: 4%; padding: 16px 32px; font: bold 32px sans-serif; color: #000;
          opacity: 0; transition: opacity 250ms linear; }
        .bug.instant { transition: none; }
        .bug.large { font-size: 56px; padding: 24px 48px; }
      </style>
      <div class="bug"></div>`;
    this.bug = root.querySelector('.bug');
    this.render();
    return { statusCode: 200 };
  }

  render() {
    this.bug.textContent = this.data.sponsor;
    this.bug.style.background = this.data.colour;
    this.bug.classList.toggle('large', Boolean(this.data.large));
  }

  async playAction({ skipAnimation } = {}) {
    this.bug.classList.toggle('instant', Boolean(skipAnimation));
    this.bug.style.opacity = '1';
    return { statusCode: 200, currentStep: 0 };
  }

  async updateAction({ data }) {
    this.data = { ...this.data, ...data };
    this.render();
    return { statusCode: 200 };
  }

  async stopAction({ skipAnimation } = {}) {
    this.bug.classList.toggle('instant', Boolean(skipAnimation));
    this.bug.style.opacity = '0';
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

export default SponsorBug;
