/** RFC 3261 §7.3.3 compact forms plus the ones later RFCs added (RFC 3515 r, 3892 b, 3841 x/y, 4028 x …). */
const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  y: 'identity',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
};

/** Headers whose usual spellings are looked up instead of lower-cased for every field of every message. */
const COMMON = [
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events', 'Authentication-Info', 'Authorization',
  'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type',
  'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version',
  'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority', 'Privacy', 'Proxy-Authenticate',
  'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Replaces', 'Reply-To',
  'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Service-Route', 'Session-Expires', 'Subject', 'Subscription-State',
  'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];

/**
 * Headers that are looked up in nearly every message. A HeaderTable keeps the first and
 * last index of each, so that finding them needs no search; a spelling carries its slot.
 */
export const HOT_KEYS = ['via', 'from', 'to', 'call-id', 'cseq', 'contact', 'content-length', 'max-forwards'] as const;
export const SLOT_VIA = 0;
export const SLOT_FROM = 1;
export const SLOT_TO = 2;
export const SLOT_CALL_ID = 3;
export const SLOT_CSEQ = 4;
export const SLOT_CONTACT = 5;
export const SLOT_CONTENT_LENGTH = 6;
export const SLOT_MAX_FORWARDS = 7;

/** The HOT_KEYS slot of a key, or -1. */
export function hotSlot(key: string): number {
  return (HOT_KEYS as readonly string[]).indexOf(key);
}

/**
 * The internalized instance of a string: keys and spellings computed here (lower-
 * and upper-casing) are compared with string literals on every message, and two
 * internalized strings compare by identity.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/** A known spelling: as written, its key, and the key's HOT_KEYS slot (-1 if none). */
export type KnownHeader = readonly [spelling: string, key: string, slot: number];

/**
 * Spellings as written → key, bucketed by length and first character so that the
 * header splitter can recognise a name in place (one or two `startsWith` calls)
 * without slicing, lower-casing or hashing it: the common name as above, its
 * lower- and upper-case forms, and each compact form.
 */
const SPELLINGS = new Map<number, KnownHeader[]>();

function addSpelling(spelling: string, key: string): void {
  const bucket = spelling.length * 128 + spelling.charCodeAt(0);
  const list = SPELLINGS.get(bucket) ?? [];
  if (!list.some(([s]) => s === spelling)) list.push([intern(spelling), intern(key), hotSlot(key)]);
  SPELLINGS.set(bucket, list);
}

for (const name of COMMON) {
  const key = name.toLowerCase();
  addSpelling(name, key);
  addSpelling(key, key);
  addSpelling(name.toUpperCase(), key);
}
for (const [letter, key] of Object.entries(COMPACT)) {
  addSpelling(letter, key);
  addSpelling(letter.toUpperCase(), key);
}

/** Array form of SPELLINGS, indexed by `length * 128 + first char`, for the hot path. */
const BUCKETS: Array<KnownHeader[] | undefined> = new Array<undefined>(41 * 128).fill(undefined);
for (const [bucket, list] of SPELLINGS) BUCKETS[bucket] = list;

/**
 * If `text[start, end)` is one of the known spellings, that spelling (equal to the
 * slice, but shared) and its key; otherwise undefined.
 */
export function knownHeaderAt(text: string, start: number, end: number): KnownHeader | undefined {
  const length = end - start;
  const c = text.charCodeAt(start);
  if (length > 40 || c >= 128) return undefined;
  const list = BUCKETS[length * 128 + c];
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    if (text.startsWith(entry[0], start)) return entry;
  }
  return undefined;
}

/** The names most messages carry, most frequent first: the order in which knownHeaderAtLine tries them. */
const FREQUENT = [
  'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Record-Route', 'Route',
  'Allow', 'Supported', 'User-Agent', 'Server', 'Expires', 'Authorization', 'WWW-Authenticate', 'Proxy-Authenticate', 'Proxy-Authorization',
];

/**
 * Known spellings bucketed by first character, most frequent names first, then the
 * rest of the common names, then their lower- and upper-case forms and compact forms.
 */
const BY_FIRST_CHAR: KnownHeader[][] = Array.from({ length: 128 }, () => []);
/** The character codes of each spelling in BY_FIRST_CHAR, at the same places (reading these is cheaper than charCodeAt on the spelling). */
const CODES_BY_FIRST_CHAR: Uint8Array[][] = Array.from({ length: 128 }, () => []);
{
  const ordered: string[] = [...FREQUENT, ...COMMON, ...COMMON.map((n) => n.toLowerCase()), ...COMMON.map((n) => n.toUpperCase())];
  for (const letter of Object.keys(COMPACT)) ordered.push(letter, letter.toUpperCase());
  for (const spelling of ordered) {
    const list = BY_FIRST_CHAR[spelling.charCodeAt(0)]!;
    // The entry knownHeaderAt has for the same spelling, so that both return the same one.
    if (list.some(([s]) => s === spelling)) continue;
    list.push(knownHeaderAt(spelling, 0, spelling.length)!);
    CODES_BY_FIRST_CHAR[spelling.charCodeAt(0)]!.push(Uint8Array.from(spelling, (ch) => ch.charCodeAt(0)));
  }
}

/**
 * If the header line at `text[start]` begins with a known spelling directly followed
 * by `:`, that spelling and its key; otherwise undefined (an unknown name, or white
 * space before the colon). Finds the name without searching for the colon first.
 */
export function knownHeaderAtLine(text: string, start: number): KnownHeader | undefined {
  const c = text.charCodeAt(start);
  if (c >= 128) return undefined;
  const codes = CODES_BY_FIRST_CHAR[c]!;
  next: for (let i = 0; i < codes.length; i++) {
    const spelling = codes[i]!;
    const length = spelling.length;
    // The colon right after it settles most mismatches at once; then the rest, one by one
    // (cheaper than startsWith at these lengths).
    if (text.charCodeAt(start + length) !== 58) continue;
    for (let j = 1; j < length; j++) if (spelling[j] !== text.charCodeAt(start + j)) continue next;
    return BY_FIRST_CHAR[c]![i];
  }
  return undefined;
}

/**
 * knownHeaderAtLine for a header line read from bytes (`bytes[at]` is its first
 * character), where each byte is one character: the parser's usual, all-ASCII case.
 * Reading a typed array is cheaper than charCodeAt, and the names are read for every
 * line of every message.
 */
export function knownHeaderAtBytes(bytes: Uint8Array, at: number): KnownHeader | undefined {
  const c = bytes[at]!;
  if (c >= 128) return undefined;
  const codes = CODES_BY_FIRST_CHAR[c]!;
  next: for (let i = 0; i < codes.length; i++) {
    const spelling = codes[i]!;
    const length = spelling.length;
    if (bytes[at + length] !== 58) continue;
    for (let j = 1; j < length; j++) if (spelling[j] !== bytes[at + j]) continue next;
    return BY_FIRST_CHAR[c]![i];
  }
  return undefined;
}

/**
 * Every known spelling → key, for names that come from code rather than the wire:
 * string literals carry a cached hash, so for them a Map lookup is the cheap way.
 */
const BY_SPELLING = new Map<string, string>();
for (const list of SPELLINGS.values()) for (const [spelling, key] of list) BY_SPELLING.set(spelling, key);

/** The lower-case long name of a header, resolving compact forms. */
export function headerKey(name: string): string {
  const byName = BY_SPELLING.get(name);
  if (byName !== undefined) return byName;
  const known = knownHeaderAt(name, 0, name.length);
  if (known !== undefined) return known[1];
  if (name.length === 1) {
    const lower = name.toLowerCase();
    return COMPACT[lower] ?? lower;
  }
  return name.toLowerCase();
}
