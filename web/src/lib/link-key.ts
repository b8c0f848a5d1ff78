// A page's key arrives in its link (`#key=`, or an older `?key=` link) and is taken out of the address bar
// at once (history.replaceState), so history, bookmarks and screenshots do not carry it; it stays in this
// tab's session storage so a reload still works. protocol/key-transport.ts says how links carry secrets.
import { linkParams, withoutLinkSecrets } from '../../../protocol/index.ts';

/** The key from the link, else the one this tab kept under `storageKey`; null when there is none. */
export function takeLinkKey(storageKey: string): string | null {
  const fromLink = linkParams(location.search, location.hash).get('key');
  const clean = withoutLinkSecrets(location.pathname, location.search, location.hash);
  if (clean !== `${location.pathname}${location.search}${location.hash}`)
    history.replaceState(history.state, '', clean);
  if (fromLink !== null && fromLink !== '') {
    sessionStorage.setItem(storageKey, fromLink);
    return fromLink;
  }
  return sessionStorage.getItem(storageKey);
}
