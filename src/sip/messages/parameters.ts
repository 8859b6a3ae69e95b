import { SipParseError } from './sip-parse-error.js';
import { isToken, splitOutside } from './grammar.js';

/**
 * An ordered list of `;name=value` parameters (URI, Via, name-addr, Contact …).
 * Names compare case-insensitively; values are kept exactly as written (a quoted
 * value keeps its quotes) so that serialization is verbatim.
 */
export class Parameters {
  private list: Array<[string, string | null]>;

  constructor(entries?: Iterable<[string, string | null]>) {
    this.list = entries ? [...entries].map(([k, v]) => [k, v]) : [];
  }

  /**
   * Parses `a=b;c;d="x;y"`. A leading separator is allowed. `sep` is `;` for
   * parameters and `&` for URI headers.
   */
  static parse(text: string, sep: ';' | '&' = ';', what = 'parameter'): Parameters {
    const p = new Parameters();
    if (text.length === 0) return p;
    const body = text.charCodeAt(0) === sep.charCodeAt(0) ? text.slice(1) : text;
    for (const part of splitOutside(body, sep.charCodeAt(0))) {
      if (part.length === 0) throw new SipParseError(`empty ${what}`);
      const eq = part.indexOf('=');
      const name = (eq < 0 ? part : part.slice(0, eq)).trim();
      if (sep === ';' ? !isToken(name) && !isUriParamName(name) : name.length === 0) {
        throw new SipParseError(`bad ${what} name "${name}"`);
      }
      p.list.push([name, eq < 0 ? null : part.slice(eq + 1).trim()]);
    }
    return p;
  }

  get(name: string): string | null | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.list[i]![1];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  set(name: string, value: string | null = null): this {
    const i = this.indexOf(name);
    if (i >= 0) this.list[i]![1] = value;
    else this.list.push([name, value]);
    return this;
  }

  delete(name: string): boolean {
    const i = this.indexOf(name);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  entries(): Array<[string, string | null]> {
    return this.list.map(([k, v]) => [k, v]);
  }

  get size(): number {
    return this.list.length;
  }

  clone(): Parameters {
    return new Parameters(this.list);
  }

  /** `;a=b;c` with a leading separator, or '' when empty. */
  toString(sep: ';' | '&' = ';'): string {
    let out = '';
    for (const [k, v] of this.list) out += (sep === '&' && out === '' ? '' : sep) + (v === null ? k : `${k}=${v}`);
    return out;
  }

  private indexOf(name: string): number {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.list.length; i++) {
      const k = this.list[i]![0];
      if (k === name || k.toLowerCase() === lower) return i;
    }
    return -1;
  }
}

/** URI parameter names may contain a few more characters than tokens (paramchar, RFC 3261 §25.1). */
function isUriParamName(name: string): boolean {
  return name.length > 0 && /^[A-Za-z0-9\-_.!~*'()[\]/:&+$%]+$/.test(name);
}
