/**
 * Low-level RFC 3261 §25 lexical helpers shared by the header and URI parsers.
 * They work on JavaScript strings with index arithmetic (no regular expressions in
 * the hot path) because the parser runs for every datagram.
 */

/** RFC 3261 `token` characters. */
const TOKEN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~') TOKEN[c.charCodeAt(0)] = 1;

/** Whether `s` is a non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Whether `text[start, end)` is a non-empty RFC 3261 token, without slicing it out. */
export function isTokenAt(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** Whether a character code is a token character. */
export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

/**
 * Whether `String.prototype.trim` would remove this character. The index-based
 * scanners trim with it so that they cut exactly where `trim()` would.
 */
export function isTrimmable(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The first index in `[start, end)` that `trim()` would keep, or `end`. */
export function skipTrimmable(text: string, start: number, end: number): number {
  while (start < end && isTrimmable(text.charCodeAt(start))) start++;
  return start;
}

/** One past the last index in `[start, end)` that `trim()` would keep, or `start`. */
export function backTrimmable(text: string, start: number, end: number): number {
  while (end > start && isTrimmable(text.charCodeAt(end - 1))) end--;
  return end;
}

/** Whether a character code is linear white space inside a header value. */
export function isWsp(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Splits `text` at every `sep` that is outside quoted strings and `<…>` brackets,
 * trimming each part. Used for comma lists of header values and `;` parameters.
 */
export function splitOutside(text: string, sep: number): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60 /* < */) angle = true;
    else if (c === 62 /* > */) angle = false;
    else if (c === sep && !angle) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** Index of the first `sep` outside quotes and angle brackets, or -1. */
export function indexOutside(text: string, sep: number, from = 0): number {
  let quoted = false;
  let angle = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === sep && !angle) return i;
  }
  return -1;
}

/**
 * Index of the first `sep` in `[from, end)` outside quotes and `<…>`, or `end`: the
 * allocation-free form of splitOutside for the typed header parsers.
 */
export function indexOutsideUntil(text: string, sep: number, from: number, end: number): number {
  let quoted = false;
  let angle = false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === sep && !angle) return i;
  }
  return end;
}

/**
 * End of the comma-list element that starts at `from`: the next ',' outside quotes
 * and `<…>`, or `text.length`. Most values hold one element and no comma at all, so
 * a native search settles them; the character walk is left for the rest.
 */
export function listItemEnd(text: string, from: number): number {
  const comma = text.indexOf(',', from);
  if (comma < 0) return text.length;
  const quote = text.indexOf('"', from);
  const angle = text.indexOf('<', from);
  if ((quote < 0 || quote > comma) && (angle < 0 || angle > comma)) return comma;
  return indexOutsideUntil(text, 44, from, text.length);
}

/** Parses `text[start, end)` as a decimal port 0–65535, or returns undefined. */
export function parsePortAt(text: string, start: number, end: number): number | undefined {
  if (end <= start || end - start > 5) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    n = n * 10 + (c - 48);
  }
  return n <= 65535 ? n : undefined;
}

/** Parses `text` as 1–10 decimal digits (Content-Length, Max-Forwards, Expires …), or returns undefined. */
export function parseDigits(text: string): number | undefined {
  const n = text.length;
  if (n === 0 || n > 10) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Removes the quotes and backslash escapes of an RFC 3261 quoted-string; returns null if it is not one. */
export function unquote(s: string): string | null {
  if (s.length < 2 || s.charCodeAt(0) !== 34 || s.charCodeAt(s.length - 1) !== 34) return null;
  // Most quoted strings (display names, nonces) have no escapes: one slice, no per-character copy.
  if (s.indexOf('\\') < 0) {
    const inner = s.slice(1, -1);
    return inner.indexOf('"') < 0 ? inner : null;
  }
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      if (i >= s.length - 1) return null;
      out += s[i];
    } else if (c === '"') return null;
    else out += c;
  }
  return out;
}

/** Quotes a string as an RFC 3261 quoted-string, escaping `"` and `\`. */
export function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

/** Decodes %HH escapes (RFC 3261 §19.1.4 compares URIs unescaped); bad escapes are kept as written. */
export function unescapeUriPart(s: string): string {
  if (s.indexOf('%') < 0) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Whether `s` is a dotted-quad IPv4 address. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    if (Number(p) > 255) return false;
  }
  return true;
}

/** Whether `s` looks like an IPv6 address (without brackets). */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.indexOf(':') < 0 || s.includes(':::')) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;
    if (!ok) return false;
  }
  const dbl = s.split('::').length - 1;
  if (dbl > 1) return false;
  const groups = s.split(':').filter((g) => g.length > 0);
  const last = groups[groups.length - 1] ?? '';
  const v4tail = last.includes('.');
  if (v4tail && !isIPv4(last)) return false;
  const n = groups.length + (v4tail ? 1 : 0);
  if (dbl === 0 ? n !== 8 : n > 7) return false;
  return groups.every((g) => g.includes('.') || g.length <= 4);
}

/** Whether `s` is a valid host: hostname, IPv4, or a bracketed IPv6 reference. */
export function isHost(s: string): boolean {
  if (s.length === 0) return false;
  if (s.charCodeAt(0) === 91 /* [ */) return s.charCodeAt(s.length - 1) === 93 && isIPv6(s.slice(1, -1));
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95;
    if (!ok) return false;
  }
  return true;
}

/** Parses a decimal port 0–65535, or returns undefined. */
export function parsePort(s: string): number | undefined {
  if (s.length === 0 || s.length > 5) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}
