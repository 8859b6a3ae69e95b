import { AuthChallengeError } from './auth-errors.js';

/** One `name=value` of an auth-param list; `name` is lower-cased, `value` unquoted and unescaped. */
export interface AuthParam {
  name: string;
  value: string;
  /** Whether the value was written as a quoted-string. */
  quoted: boolean;
}

/** One challenge or credentials item: `scheme` followed by a token68 or an auth-param list (RFC 7235 §2.1). */
export interface AuthItem {
  scheme: string;
  params: AuthParam[];
  token68?: string;
}

// RFC 7230 §3.2.6 tchar; a superset of the RFC 3261 §25.1 `token` characters.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/** Whether `text` can be written without quotes (an RFC 7230 token). */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/** Writes `text` as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair). */
export function quoteString(text: string): string {
  if (/[\r\n]/.test(text)) throw new AuthChallengeError('a quoted-string cannot hold CR or LF');
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Parses a header value holding one or more `scheme params` items, as in
 * WWW-Authenticate, Proxy-Authenticate, Authorization (RFC 7235 §4.1, RFC 3261 §25.1).
 * Empty list elements are skipped (RFC 7230 §7). Throws AuthChallengeError naming the fault.
 */
export function parseAuthItems(text: string): AuthItem[] {
  return new AuthScanner(text).items();
}

class AuthScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  items(): AuthItem[] {
    const items: AuthItem[] = [];
    this.skipSeparators();
    while (!this.atEnd()) {
      items.push(this.item());
      this.skipSeparators();
    }
    if (items.length === 0) throw new AuthChallengeError('empty authentication header value');
    return items;
  }

  private item(): AuthItem {
    const scheme = this.token();
    if (!scheme) throw this.fault('expected an authentication scheme');
    const item: AuthItem = { scheme, params: [] };
    if (this.atEnd() || this.peek() === ',') return item;
    if (!this.skipWhitespace()) throw this.fault(`expected a space after scheme "${scheme}"`);

    // Digest never carries a token68, and `realm=,` would otherwise read as one.
    const token68 = scheme.toLowerCase() === 'digest' ? undefined : this.tryToken68();
    if (token68 !== undefined) {
      item.token68 = token68;
      return item;
    }

    const seen = new Set<string>();
    for (;;) {
      const save = this.pos;
      this.skipWhitespace();
      if (this.atEnd()) break;
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      const name = this.token();
      if (!name) throw this.fault(`unexpected character ${JSON.stringify(this.peek())} in the parameters of "${scheme}"`);
      this.skipWhitespace();
      if (this.peek() !== '=') {
        // A bare token after a comma is the scheme of the next challenge in the same value.
        this.pos = save;
        break;
      }
      this.pos++;
      this.skipWhitespace();
      const lower = name.toLowerCase();
      let value: string;
      let quoted = false;
      if (this.peek() === '"') {
        value = this.quoted(lower);
        quoted = true;
      } else {
        value = this.bareValue();
        if (!value) throw this.fault(`parameter "${lower}" has no value`);
      }
      // RFC 7235 §2.2: each parameter name MUST only occur once per challenge.
      if (seen.has(lower)) throw new AuthChallengeError(`parameter "${lower}" occurs twice in the "${scheme}" challenge`);
      seen.add(lower);
      item.params.push({ name: lower, value, quoted });
      this.skipWhitespace();
      if (this.atEnd()) break;
      if (this.peek() !== ',') throw this.fault(`expected "," after parameter "${lower}"`);
    }
    return item;
  }

  private tryToken68(): string | undefined {
    const rest = this.text.slice(this.pos);
    const m = TOKEN68.exec(rest);
    if (!m) return undefined;
    const after = rest.slice(m[0].length).trimStart();
    // `name=value` also starts with token68 characters; a token68 is followed only by a comma or the end.
    if (after !== '' && !after.startsWith(',')) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private token(): string {
    const start = this.pos;
    while (!this.atEnd() && TCHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** An unquoted value: a token in the grammar, read liberally up to the next separator. */
  private bareValue(): string {
    const start = this.pos;
    while (!this.atEnd() && !/[\s,"]/.test(this.peek())) this.pos++;
    if (this.peek() === '"') throw this.fault('stray quote in an unquoted value');
    return this.text.slice(start, this.pos);
  }

  private quoted(name: string): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.atEnd()) {
      const c = this.text[this.pos++]!;
      if (c === '"') return out;
      if (c === '\\') {
        if (this.atEnd()) break;
        out += this.text[this.pos++];
      } else {
        out += c;
      }
    }
    throw new AuthChallengeError(`unterminated quoted string in parameter "${name}"`);
  }

  private skipWhitespace(): boolean {
    const start = this.pos;
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
    return this.pos > start;
  }

  private skipSeparators(): void {
    while (!this.atEnd() && /[\s,]/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private fault(what: string): AuthChallengeError {
    return new AuthChallengeError(`${what} at offset ${this.pos} of ${JSON.stringify(this.text)}`);
  }
}
