// The script of the page a graphic instance runs in (GET /api/ograf/host, inside the template's sandboxed
// iframe): it imports the graphic's module, creates its web component and runs each call the template posts
// (protocol/ograf.ts OGrafHostCall), answering done or failed. Timeouts are the template's: a graphic that
// hangs here cannot be trusted to say so. Served inline, allowed by its hash in the page's CSP.
export const OGRAF_HOST_SCRIPT = `
'use strict';
const send = (message) => parent.postMessage(message, '*');
const text = (error) => (error && error.message) || String(error);
let graphic = null;
async function run(call) {
  if (call.type === 'load') {
    const module = await import(new URL(call.main, location.href).href);
    if (typeof module.default !== 'function') throw new Error('the module has no default export (the Graphic class)');
    customElements.define('ograf-graphic', module.default);
    graphic = document.createElement('ograf-graphic');
    graphic.style.cssText = 'position:absolute;inset:0;display:block';
    document.body.appendChild(graphic);
    return graphic.load({
      data: call.data,
      renderType: 'realtime',
      renderCharacteristics: { resolution: { width: call.width, height: call.height } },
    });
  }
  if (graphic === null) throw new Error('the graphic is not loaded');
  if (call.type === 'dispose') {
    const result = await graphic.dispose({});
    graphic.remove();
    graphic = null;
    return result;
  }
  const { type, call: _id, ...params } = call;
  if (typeof graphic[type] !== 'function') throw new Error('the graphic has no ' + type + '()');
  return graphic[type](params);
}
addEventListener('message', (event) => {
  if (event.source !== parent || typeof event.data !== 'object' || event.data === null) return;
  const call = event.data;
  Promise.resolve()
    .then(() => run(call))
    .then((result) => {
      const status = result && typeof result.statusCode === 'number' ? result.statusCode : 200;
      if (status >= 400) throw new Error('answered ' + status + (result.statusMessage ? ' ' + result.statusMessage : ''));
      const step = result && Number.isInteger(result.currentStep) ? result.currentStep : null;
      send({ type: 'done', call: call.call, currentStep: step });
    })
    .catch((error) => send({ type: 'failed', call: call.call, message: call.type + '(): ' + text(error) }));
});
addEventListener('error', (event) => send({ type: 'fault', message: text(event.error || event.message) }));
addEventListener('unhandledrejection', (event) => send({ type: 'fault', message: text(event.reason) }));
send({ type: 'ready' });
`;
