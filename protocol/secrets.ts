// Keeping destination secrets (stream keys, SRT stream ids and passphrases) out of what people and logs see.

export const MASK = '****';

/** URL query parameters whose values are secrets wherever they appear (RTMP tokens, SRT streamid/passphrase). */
const SECRET_PARAMS = /([?&](?:key|token|streamKey|streamid|passphrase)=)[^&\s]+/gi;

/**
 * Masks secrets in text for log lines and errors: every secret given (as written, JSON-escaped and
 * URL-encoded), then whatever follows the last '/' of any rtmp(s) URL and a secret query value. A
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
    .replace(/rtmps?:\/\/\S+/g, (url) => {
      const last = url.lastIndexOf('/');
      return last > url.indexOf('//') + 1 ? `${url.slice(0, last + 1)}${MASK}` : url;
    })
    .replace(SECRET_PARAMS, `$1${MASK}`);
}
