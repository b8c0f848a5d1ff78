// Keeping destination secrets (stream keys, SRT stream ids and passphrases) out of what people and logs see.

export const MASK = '****';

/** URL query parameters whose values are secrets wherever they appear (role keys, the program pass, RTMP tokens, SRT streamid/passphrase). */
const SECRET_PARAMS = /([?&](?:key|pass|token|streamKey|streamid|passphrase)=)[^&\s]+/gi;

/**
 * Masks secrets in text for log lines and errors: every secret given (as written, JSON-escaped and
 * URL-encoded), then any URL's userinfo (`user:password@`), whatever follows the last '/' of any rtmp(s) URL
 * and a secret query value. A
 * stream key may hold any character but whitespace and '/', so the mask runs to the next whitespace:
 * it may hide a quote or a colon after the key, never leave a piece of the key.
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]))
      masked = masked.split(form).join(MASK);
  }
  return masked
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, `$1${MASK}@`)
    .replace(/rtmps?:\/\/\S+/g, (url) => {
      const last = url.lastIndexOf('/');
      return last > url.indexOf('//') + 1 ? `${url.slice(0, last + 1)}${MASK}` : url;
    })
    .replace(SECRET_PARAMS, `$1${MASK}`);
}

/** A URL's `user:password@` (userinfo) apart from the rest: a secret like a stream key. */
export interface SplitUrl {
  /** The URL without userinfo. */
  url: string;
  /** What stood before the '@', or undefined when there was none. */
  userinfo?: string;
}

/** Splits the userinfo off `scheme://user:password@host/…` (the authority ends at the first '/', '?' or '#'). */
export function splitUserinfo(url: string): SplitUrl {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@([^/?#]*)(.*)$/i.exec(url);
  if (match === null) return { url };
  const [, scheme = '', userinfo = '', host = '', rest = ''] = match;
  return { url: `${scheme}${host}${rest}`, userinfo };
}

/** Puts userinfo back in front of the host. */
export function joinUserinfo(url: string, userinfo: string | undefined): string {
  if (userinfo === undefined) return url;
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)/i, `$1${userinfo}@`);
}
