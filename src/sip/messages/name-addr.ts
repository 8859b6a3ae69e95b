import { backTrimmable, isTokenChar, isTrimmable, quote, skipTrimmable, unquote } from './grammar.js';
import { Parameters } from './parameters.js';
import { SipParseError } from './sip-parse-error.js';
import { hasUriScheme, parseUri, type Uri } from './uri.js';

/**
 * A name-addr or addr-spec with header parameters (RFC 3261 §20.10, §25.1): the
 * value of From, To, Contact, Route and Record-Route.
 *
 * When it comes from a message header, the URI is kept as text (its scheme checked)
 * and parsed on first access of `uri`: most Contact and Route URIs of a message are
 * never looked at by this endpoint. A malformed URI then throws SipParseError from
 * that access. NameAddr.parse itself parses the URI at once.
 */
export class NameAddr {
  /** Unquoted display name, if any. */
  displayName?: string;
  params: Parameters;
  /** The parsed URI, or undefined while only `uriText` is held. */
  private parsedUri: Uri | undefined;
  private uriText: string | undefined;

  constructor(uri: Uri, displayName?: string, params?: Parameters) {
    this.parsedUri = uri;
    this.uriText = undefined;
    if (displayName !== undefined) this.displayName = displayName;
    this.params = params ?? new Parameters();
  }

  get uri(): Uri {
    let uri = this.parsedUri;
    if (uri === undefined) {
      uri = parseUri(this.uriText!);
      this.parsedUri = uri;
      this.uriText = undefined;
    }
    return uri;
  }

  set uri(uri: Uri) {
    this.parsedUri = uri;
    this.uriText = undefined;
  }

  /** The `tag` parameter (RFC 3261 §19.3). */
  get tag(): string | undefined {
    const t = this.params.get('tag');
    return typeof t === 'string' ? t : undefined;
  }

  static parse(text: string): NameAddr {
    const a = NameAddr.parseLazy(text, 0, text.length);
    // Callers of parse() expect everything refused here, not on first use.
    void a.uri;
    a.params.check();
    return a;
  }

  /**
   * Parses `text[start, end)`, keeping the URI as text until `uri` is read and the
   * parameters unchecked until read (Parameters.lazy): the form for header values,
   * which arrive as slices of a longer line. Throws SipParseError.
   */
  static parseLazy(text: string, start: number, end: number): NameAddr {
    const s0 = skipTrimmable(text, start, end);
    const s1 = backTrimmable(text, s0, end);
    const a = new NameAddr(UNPARSED, undefined, UNPARSED_PARAMS);
    if (!NameAddr.scanCommon(text, s0, s1, a)) NameAddr.scanAny(text, s0, s1, a);
    return a;
  }

  /**
   * A name-addr from parts a byte scanner cut out (header-byte-scanner), the URI's
   * scheme already checked: what parseLazy builds for the same text.
   * @internal
   */
  static ofParts(displayName: string | undefined, uriText: string, params: Parameters): NameAddr {
    const a = new NameAddr(UNPARSED, undefined, UNPARSED_PARAMS);
    // The same assignments in the same order as setParts: one shape either way.
    if (displayName !== undefined) a.displayName = displayName;
    a.parsedUri = undefined;
    a.uriText = uriText;
    a.params = params;
    return a;
  }

  /** Sets the parts found by the scanners; the URI stays text, checked only for its scheme. */
  private setParts(displayName: string | undefined, uriText: string, paramsText: string): void {
    if (!hasUriScheme(uriText)) throw new SipParseError(`bad URI "${uriText.length > 60 ? uriText.slice(0, 57) + '...' : uriText}"`);
    if (displayName !== undefined) this.displayName = displayName;
    this.parsedUri = undefined;
    this.uriText = uriText;
    this.params = Parameters.lazy(paramsText, ';', 'header parameter');
  }

  /**
   * The usual shapes, `"Name" <uri>;params` and `<uri>;params` with single spaces and
   * no escapes, found with indexOf; false (nothing set) for anything else, which
   * scanAny then takes with the full grammar. Both find the same parts.
   */
  private static scanCommon(text: string, s0: number, s1: number, into: NameAddr): boolean {
    if (s0 >= s1) return false;
    let displayName: string | undefined;
    let lt = s0;
    if (text.charCodeAt(s0) === 34) {
      const close = text.indexOf('"', s0 + 1);
      if (close < 0 || close + 2 >= s1 || text.charCodeAt(close + 1) !== 32 || text.charCodeAt(close + 2) !== 60) return false;
      const backslash = text.indexOf('\\', s0 + 1);
      if (backslash >= 0 && backslash < close) return false;
      displayName = text.slice(s0 + 1, close);
      lt = close + 2;
    } else if (text.charCodeAt(s0) !== 60) return false;
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0 || gt >= s1 || isTrimmable(text.charCodeAt(lt + 1)) || isTrimmable(text.charCodeAt(gt - 1))) return false;
    if (gt + 1 < s1 && text.charCodeAt(gt + 1) !== 59) return false;
    into.setParts(displayName, text.slice(lt + 1, gt), gt + 1 < s1 ? text.slice(gt + 1, s1) : '');
    return true;
  }

  /** Splits a name-addr or addr-spec `text[s0, s1)` (trimmed) into its parts, checking everything but the URI's inside. */
  private static scanAny(text: string, s0: number, s1: number, into: NameAddr): void {
    if (s0 === s1) throw new SipParseError('empty address');
    const lt = findOpenAngle(text, s0, s1);
    let displayName: string | undefined;
    let uriText: string;
    let paramsText: string;
    if (lt >= 0) {
      const gt = text.indexOf('>', lt);
      if (gt < 0 || gt >= s1) throw new SipParseError(`unterminated <…> in address "${clip(text, s0, s1)}"`);
      const de = backTrimmable(text, s0, lt);
      if (de > s0) displayName = displayNameAt(text, s0, de, s1);
      const us = skipTrimmable(text, lt + 1, gt);
      uriText = text.slice(us, backTrimmable(text, us, gt));
      const rs = skipTrimmable(text, gt + 1, s1);
      if (rs < s1 && text.charCodeAt(rs) !== 59) throw new SipParseError(`unexpected text after address in "${clip(text, s0, s1)}"`);
      paramsText = rs < s1 ? text.slice(rs, s1) : '';
    } else {
      // addr-spec: every ';' parameter belongs to the header, not to the URI (RFC 3261 §20).
      let semi = text.indexOf(';', s0);
      if (semi >= s1) semi = -1;
      const ue = backTrimmable(text, s0, semi < 0 ? s1 : semi);
      for (let i = s0; i < ue; i++) {
        const c = text.charCodeAt(i);
        if (c === 34 || isTrimmable(c)) throw new SipParseError(`bad address "${clip(text, s0, s1)}"`);
      }
      uriText = text.slice(s0, ue);
      paramsText = semi < 0 ? '' : text.slice(semi, s1);
    }
    into.setParts(displayName, uriText, paramsText);
  }

  clone(): NameAddr {
    if (this.parsedUri !== undefined) return new NameAddr(this.parsedUri.clone(), this.displayName, this.params.clone());
    const copy = new NameAddr(UNPARSED, this.displayName, this.params.clone());
    copy.parsedUri = undefined;
    copy.uriText = this.uriText;
    return copy;
  }

  toString(): string {
    const name = this.displayName !== undefined && this.displayName.length > 0 ? quote(this.displayName) + ' ' : '';
    return `${name}<${this.uri.toString()}>${this.params.toString(';')}`;
  }
}

/** Passed to the constructor while a NameAddr is built from text; replaced at once (setParts), never exposed. */
const UNPARSED = { scheme: 'sip' } as unknown as Uri;
const UNPARSED_PARAMS = new Parameters();

/** The display name in `text[start, end)` (trimmed, non-empty): a quoted-string, or tokens separated by LWS. */
function displayNameAt(text: string, start: number, end: number, lineEnd: number): string {
  if (text.charCodeAt(start) === 34) {
    const u = unquote(text.slice(start, end));
    if (u === null) throw new SipParseError(`bad quoted display name in "${clip(text, start, lineEnd)}"`);
    return u;
  }
  let collapse = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      // Runs of LWS are written back as one space.
      if (c === 9 || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9) collapse = true;
    } else if (!isTokenChar(c)) throw new SipParseError(`bad display name in "${clip(text, start, lineEnd)}"`);
  }
  const name = text.slice(start, end);
  return collapse ? name.replace(/[ \t]+/g, ' ') : name;
}

/** Index of the `<` that opens the URI in `[start, end)`, skipping a quoted display name, or -1. */
function findOpenAngle(s: string, start: number, end: number): number {
  const quote = s.indexOf('"', start);
  const first = s.indexOf('<', start);
  const lt0 = first < end ? first : -1;
  // No quote before it: the first '<' is the one.
  if (quote < 0 || quote >= end || (lt0 >= 0 && quote > lt0)) return lt0;
  if (quote === start) {
    // The usual `"Name" <uri>`: when the quoted part has no escapes, jump over it.
    const close = s.indexOf('"', start + 1);
    const backslash = s.indexOf('\\', start + 1);
    if (close > 0 && close < end && (backslash < 0 || backslash > close)) {
      const lt = s.indexOf('<', close + 1);
      const next = s.indexOf('"', close + 1);
      if (lt >= 0 && lt < end && (next < 0 || next > lt)) return lt;
    }
  }
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) return i;
  }
  return -1;
}

function clip(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
