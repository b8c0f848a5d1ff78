// A tiny element builder: pages are plain TypeScript, and text always goes in as text (never as HTML),
// so a team name or a lower-third title can never inject markup.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Sets text only when it differs, so a state update does not disturb a selection or restart a CSS animation. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The page has no #${id} element.`);
  return element as T;
}

/**
 * Makes `parent`'s children exactly `children`, in that order. The gone are removed first, then only the
 * nodes out of place are moved: moving a node detaches it, which blurs a focused field and pauses a video.
 */
export function placeChildren(parent: Node, children: readonly Node[]): void {
  const wanted = new Set(children);
  for (const node of [...parent.childNodes]) if (!wanted.has(node)) parent.removeChild(node);
  let cursor = parent.firstChild;
  for (const child of children) {
    if (child === cursor) cursor = cursor.nextSibling;
    else parent.insertBefore(child, cursor);
  }
}

/** Sets or removes an attribute only when it differs. */
export function setAttr(element: Element, name: string, value: string | null): void {
  if (value === null) {
    if (element.hasAttribute(name)) element.removeAttribute(name);
  } else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/** Inputs that take typed keys; a range, checkbox or radio input does not (arrows move a fader still). */
const KEYLESS_INPUTS = new Set(['range', 'checkbox', 'radio', 'button']);

/** Whether a key pressed on `target` is typing (a hotkey must leave it alone). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA') return true;
  return target instanceof HTMLInputElement && !KEYLESS_INPUTS.has(target.type);
}
