import { SipParseError } from './sip-parse-error.js';
import { backTrimmable, isTokenChar, isTrimmable, skipTrimmable } from './grammar.js';

/**
 * An ordered list of `;name=value` parameters (URI, Via, name-addr, Contact …).
 * Names compare case-insensitively; values are kept exactly as written (a quoted
 * value keeps its quotes) so that serialization is verbatim.
 *
 * A list parsed out of a message header may keep its text until something reads or
 * changes it (Parameters.lazy): most parameters of most messages (Via branch and
 * rport of other hops, Contact expires …) are never looked at, and an untouched list
 * writes back its own text. Such a list is checked when first read, and a malformed
 * one throws SipParseError from that read.
 */
export class Parameters {
  /**
   * The entries as one flat list, name then value (null for a bare flag), or undefined
   * while only the raw text is held: one array per list rather than one per entry.
   */
  private list: Array<string | null> | undefined;
  /** The text as parsed, while the list has not been changed; undefined once changed. */
  private raw: string | undefined;
  private rawSep: ';' | '&' = ';';
  private what = 'parameter';
  /** Whether `raw` has been checked; `rawCanonical` is known only then. */
  private checked = true;
  /** Whether `raw` is exactly what toString(rawSep) would rebuild (no white space, no stray separator). */
  private rawCanonical = true;

  constructor(entries?: Iterable<[string, string | null]>) {
    if (entries) {
      this.list = [];
      for (const [k, v] of entries) this.list.push(k, v);
      this.raw = undefined;
    } else {
      this.list = undefined;
      this.raw = '';
    }
  }

  /**
   * Parses `a=b;c;d="x;y"`. A leading separator is allowed. `sep` is `;` for
   * parameters and `&` for URI headers. Throws SipParseError on an empty or
   * badly named parameter.
   */
  static parse(text: string, sep: ';' | '&' = ';', what = 'parameter'): Parameters {
    const p = Parameters.lazy(text, sep, what);
    p.check();
    return p;
  }

  /** Like parse, but the text is checked only when the list is first read (see the class comment). */
  static lazy(text: string, sep: ';' | '&' = ';', what = 'parameter'): Parameters {
    const p = new Parameters();
    if (text.length === 0) return p;
    p.raw = text;
    p.rawSep = sep;
    p.what = what;
    p.checked = false;
    return p;
  }

  /**
   * A list whose entries (flat name/value list) were already cut and checked from a
   * plain parameter text, as entryList would have cut them (header-byte-scanner).
   * @internal
   */
  static ofCheckedEntries(list: Array<string | null>): Parameters {
    const p = new Parameters();
    p.list = list;
    p.raw = undefined;
    return p;
  }

  /**
   * A `;` list kept as its text, which was already found plain and canonical (a leading
   * ';', names and values with nothing to trim, no quotes or `<`) by a byte scanner:
   * what Parameters.parse gives for it, without walking it again.
   * @internal
   */
  static ofCheckedText(text: string, what: string): Parameters {
    const p = new Parameters();
    p.raw = text;
    p.what = what;
    return p;
  }

  /** Checks the raw text now (throws SipParseError if malformed), without cutting out the entries. */
  check(): this {
    if (!this.checked) {
      this.rawCanonical = scan(this.raw!, this.rawSep, this.what, undefined);
      this.checked = true;
    }
    return this;
  }

  get(name: string): string | null | undefined {
    const list = this.entryList();
    const i = indexIn(list, name);
    return i < 0 ? undefined : list[i + 1];
  }

  has(name: string): boolean {
    return indexIn(this.entryList(), name) >= 0;
  }

  set(name: string, value: string | null = null): this {
    const list = this.entryList();
    const i = indexIn(list, name);
    if (i >= 0) list[i + 1] = value;
    else list.push(name, value);
    this.raw = undefined;
    return this;
  }

  delete(name: string): boolean {
    const list = this.entryList();
    const i = indexIn(list, name);
    if (i < 0) return false;
    list.splice(i, 2);
    this.raw = undefined;
    return true;
  }

  entries(): Array<[string, string | null]> {
    const list = this.entryList();
    const out: Array<[string, string | null]> = [];
    for (let i = 0; i < list.length; i += 2) out.push([list[i]!, list[i + 1]!]);
    return out;
  }

  get size(): number {
    return this.entryList().length >> 1;
  }

  clone(): Parameters {
    if (this.list === undefined) {
      // Still only text: the copy can share it and check and cut it on its own.
      const p = new Parameters();
      p.raw = this.raw;
      p.rawSep = this.rawSep;
      p.what = this.what;
      p.checked = this.checked;
      p.rawCanonical = this.rawCanonical;
      return p;
    }
    const p = new Parameters();
    p.list = this.list.slice();
    p.raw = undefined;
    return p;
  }

  /** `;a=b;c` with a leading separator, or '' when empty. */
  toString(sep: ';' | '&' = ';'): string {
    const raw = this.raw;
    if (raw !== undefined) {
      if (raw.length === 0) return '';
      if (this.check().rawCanonical && sep === this.rawSep) return raw;
    }
    let out = '';
    const list = this.entryList();
    for (let i = 0; i < list.length; i += 2) {
      const v = list[i + 1]!;
      out += (sep === '&' && out === '' ? '' : sep) + (v === null ? list[i]! : `${list[i]!}=${v}`);
    }
    return out;
  }

  /** The entries, cut out of the raw text (and checked) on first use. */
  private entryList(): Array<string | null> {
    let list = this.list;
    if (list === undefined) {
      list = [];
      if (this.raw !== undefined && this.raw.length > 0) {
        this.rawCanonical = scan(this.raw, this.rawSep, this.what, list);
        this.checked = true;
      }
      this.list = list;
    }
    return list;
  }
}

/** Index in the flat list of the entry named `name` (its name's index), or -1. */
function indexIn(list: Array<string | null>, name: string): number {
  // Names are nearly always written as asked for (`tag`, `branch`): look for that first.
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return i;
  const lower = name.toLowerCase();
  for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === lower) return i;
  return -1;
}

/**
 * Walks a parameter list the way `splitOutside(body, sep)` + trim would cut it
 * (separators inside quotes or `<…>` do not count), checking every name. With `out`,
 * appends the entries. Returns whether the text is canonical, i.e. equal to what
 * toString would write for the same entries.
 */
function scan(text: string, sep: ';' | '&', what: string, out: Array<string | null> | undefined): boolean {
  const sepCode = sep === ';' ? 59 : 38;
  const end = text.length;
  // Without quotes and '<', every separator counts: find them with indexOf instead of a character loop.
  const plain = text.indexOf('"') < 0 && text.indexOf('<') < 0;
  let pos = 0;
  let canonical = true;
  if (text.charCodeAt(0) === sepCode) {
    pos = 1;
    if (sep === '&') canonical = false;
  } else if (sep === ';') canonical = false;
  if (plain && sep === ';') {
    const had = out === undefined ? 0 : out.length;
    if (scanPlain(text, pos, out)) return canonical;
    // Something unusual (white space, an empty or bad name): the full walk below decides, and reports it.
    if (out !== undefined) out.length = had;
  }
  for (;;) {
    let partEnd: number;
    let eq: number;
    if (plain) {
      partEnd = text.indexOf(sep, pos);
      if (partEnd < 0) partEnd = end;
      eq = text.indexOf('=', pos);
      if (eq >= partEnd) eq = -1;
    } else {
      [partEnd, eq] = quotedPartEnd(text, pos, sepCode);
    }
    let ps = pos;
    let pe = partEnd;
    if (ps < pe && isTrimmable(text.charCodeAt(ps))) ps = skipTrimmable(text, ps, pe);
    if (pe > ps && isTrimmable(text.charCodeAt(pe - 1))) pe = backTrimmable(text, ps, pe);
    if (ps === pe) throw new SipParseError(`empty ${what}`);
    let ne = eq < 0 ? pe : eq;
    if (ne > ps && isTrimmable(text.charCodeAt(ne - 1))) ne = backTrimmable(text, ps, ne);
    if (!validName(text, ps, ne, sep)) throw new SipParseError(`bad ${what} name "${text.slice(ps, ne)}"`);
    let vs = eq + 1;
    if (eq >= 0 && vs < pe && isTrimmable(text.charCodeAt(vs))) vs = skipTrimmable(text, vs, pe);
    if (ps !== pos || pe !== partEnd || ne !== (eq < 0 ? pe : eq) || (eq >= 0 && vs !== eq + 1)) canonical = false;
    if (out !== undefined) out.push(text.slice(ps, ne), eq < 0 ? null : text.slice(vs, pe));
    if (partEnd >= end) return canonical;
    pos = partEnd + 1;
  }
}

/**
 * The usual `;` list from `pos` on: no quotes or `<`, names valid with nothing to trim,
 * values with nothing to trim. Reads each name once, checking it on the way, and finds
 * each value's end with indexOf. Appends the entries to `out` and returns true, or
 * returns false as soon as a part is not like that (leaving `out` to be truncated):
 * for what it accepts it gives what the full walk gives, canonical parts included.
 */
function scanPlain(text: string, pos: number, out: Array<string | null> | undefined): boolean {
  const end = text.length;
  for (;;) {
    let i = pos;
    let classes = 3;
    let c = 0;
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c === 59 || c === 61) break;
      classes &= c < 128 ? PARAM_NAME_CLASS[c]! : 0;
    }
    if (i === pos || classes === 0) return false;
    let partEnd = i;
    let value: string | null = null;
    if (i < end && c === 61) {
      const vs = i + 1;
      partEnd = text.indexOf(';', vs);
      if (partEnd < 0) partEnd = end;
      if (partEnd > vs && (isTrimmable(text.charCodeAt(vs)) || isTrimmable(text.charCodeAt(partEnd - 1)))) return false;
      if (out !== undefined) value = text.slice(vs, partEnd);
    }
    if (out !== undefined) out.push(text.slice(pos, i), value);
    if (partEnd >= end) return true;
    pos = partEnd + 1;
  }
}

/**
 * End of the part starting at `pos` (the next separator outside quotes and `<…>`,
 * or the text's end) and its first '=', or -1.
 */
function quotedPartEnd(text: string, pos: number, sepCode: number): [number, number] {
  const end = text.length;
  let eq = -1;
  let quoted = false;
  let angle = false;
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 61 && eq < 0) eq = i;
    if (quoted) {
      if (c === 92) {
        // The escaped character is skipped as a separator but still counts as the first '='.
        i++;
        if (eq < 0 && i < end && text.charCodeAt(i) === 61) eq = i;
      } else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === sepCode && !angle) return [i, eq];
  }
  return [end, eq];
}

/** Character classes of parameter names: 1 = token (RFC 3261 §25.1), 2 = URI paramchar; a name's characters must share one. */
export const PARAM_NAME_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (isTokenChar(c)) PARAM_NAME_CLASS[c]! |= 1;
  if (/[A-Za-z0-9\-_.!~*'()[\]/:&+$%]/.test(ch)) PARAM_NAME_CLASS[c]! |= 2;
}

/** A `;` parameter name must be a token or a URI parameter name; a `&` header name only non-empty. */
function validName(text: string, start: number, end: number, sep: ';' | '&'): boolean {
  if (end <= start) return false;
  if (sep === '&') return true;
  let classes = 3;
  for (let i = start; i < end && classes !== 0; i++) {
    const c = text.charCodeAt(i);
    classes &= c < 128 ? PARAM_NAME_CLASS[c]! : 0;
  }
  return classes !== 0;
}
