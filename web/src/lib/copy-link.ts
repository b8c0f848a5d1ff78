// Copying a crew link (a role's page, a commentary seat's) to the clipboard, with the button saying it worked.
import { describeError } from './api-error.ts';
import { h, setText } from './dom.ts';
import { notify } from './notices.ts';

const COPIED_SHOWN_MS = 1500;

export async function copyLink(url: string, button: HTMLButtonElement): Promise<void> {
  // Kept on the button: a second click while it says "Copied" must not make that its label.
  button.dataset.label ??= button.textContent ?? 'Copy link';
  const label = button.dataset.label;
  try {
    // The Clipboard API exists only in secure contexts (https or localhost): a LAN address over http
    // falls back to the selection-based copy.
    if (navigator.clipboard !== undefined && isSecureContext) await navigator.clipboard.writeText(url);
    else copyBySelection(url);
    setText(button, 'Copied ✓');
    setTimeout(() => setText(button, label), COPIED_SHOWN_MS);
  } catch (error) {
    notify('error', `Copy failed: ${describeError(error)}. Select the link and copy it by hand.`);
  }
}

function copyBySelection(text: string): void {
  const area = h('textarea', { class: 'sr-only', readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('the browser refused to copy');
}
