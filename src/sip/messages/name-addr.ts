import { isToken, quote, unquote } from './grammar.js';
import { Parameters } from './parameters.js';
import { SipParseError } from './sip-parse-error.js';
import { parseUri, type Uri } from './uri.js';

/**
 * A name-addr or addr-spec with header parameters (RFC 3261 §20.10, §25.1): the
 * value of From, To, Contact, Route and Record-Route.
 */
export class NameAddr {
  /** Unquoted display name, if any. */
  displayName?: string;
  uri: Uri;
  params: Parameters;

  constructor(uri: Uri, displayName?: string, params?: Parameters) {
    this.uri = uri;
    if (displayName !== undefined) this.displayName = displayName;
    this.params = params ?? new Parameters();
  }

  /** The `tag` parameter (RFC 3261 §19.3). */
  get tag(): string | undefined {
    const t = this.params.get('tag');
    return typeof t === 'string' ? t : undefined;
  }

  static parse(text: string): NameAddr {
    const s = text.trim();
    if (s.length === 0) throw new SipParseError('empty address');
    const lt = findOpenAngle(s);
    if (lt >= 0) {
      const gt = s.indexOf('>', lt);
      if (gt < 0) throw new SipParseError(`unterminated <…> in address "${clip(s)}"`);
      const display = s.slice(0, lt).trim();
      let displayName: string | undefined;
      if (display.length > 0) {
        if (display.charCodeAt(0) === 34) {
          const u = unquote(display);
          if (u === null) throw new SipParseError(`bad quoted display name in "${clip(s)}"`);
          displayName = u;
        } else {
          // An unquoted display name is a sequence of tokens separated by LWS.
          if (!display.split(/[ \t]+/).every(isToken)) throw new SipParseError(`bad display name in "${clip(s)}"`);
          displayName = display.replace(/[ \t]+/g, ' ');
        }
      }
      const uri = parseUri(s.slice(lt + 1, gt).trim());
      const rest = s.slice(gt + 1).trim();
      if (rest.length > 0 && rest.charCodeAt(0) !== 59) throw new SipParseError(`unexpected text after address in "${clip(s)}"`);
      return new NameAddr(uri, displayName, Parameters.parse(rest, ';', 'header parameter'));
    }
    // addr-spec: every ';' parameter belongs to the header, not to the URI (RFC 3261 §20).
    const semi = s.indexOf(';');
    const uriText = (semi < 0 ? s : s.slice(0, semi)).trim();
    if (/[\s"]/.test(uriText)) throw new SipParseError(`bad address "${clip(s)}"`);
    const uri = parseUri(uriText);
    return new NameAddr(uri, undefined, Parameters.parse(semi < 0 ? '' : s.slice(semi), ';', 'header parameter'));
  }

  clone(): NameAddr {
    return new NameAddr(this.uri.clone(), this.displayName, this.params.clone());
  }

  toString(): string {
    const name = this.displayName !== undefined && this.displayName.length > 0 ? quote(this.displayName) + ' ' : '';
    return `${name}<${this.uri.toString()}>${this.params.toString(';')}`;
  }
}

/** Index of the `<` that opens the URI, skipping a quoted display name. */
function findOpenAngle(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) return i;
  }
  return -1;
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
