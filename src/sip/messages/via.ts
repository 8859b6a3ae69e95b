import { isHost, isToken, parsePort } from './grammar.js';
import { Parameters } from './parameters.js';
import { SipParseError } from './sip-parse-error.js';

/** One Via hop (RFC 3261 §20.42, RFC 3581 `rport`). */
export class Via {
  protocol: string;
  /** Upper case, e.g. `UDP`, `TCP`, `TLS`. */
  transport: string;
  /** As written; an IPv6 reference keeps its brackets. */
  host: string;
  port?: number;
  params: Parameters;

  constructor(init: { protocol?: string; transport: string; host: string; port?: number; params?: Parameters }) {
    this.protocol = init.protocol ?? 'SIP/2.0';
    this.transport = init.transport.toUpperCase();
    this.host = init.host;
    if (init.port !== undefined) this.port = init.port;
    this.params = init.params ?? new Parameters();
  }

  get branch(): string | undefined {
    const b = this.params.get('branch');
    return typeof b === 'string' ? b : undefined;
  }

  set branch(v: string | undefined) {
    if (v === undefined) this.params.delete('branch');
    else this.params.set('branch', v);
  }

  get received(): string | undefined {
    const r = this.params.get('received');
    return typeof r === 'string' ? r : undefined;
  }

  set received(v: string | undefined) {
    if (v === undefined) this.params.delete('received');
    else this.params.set('received', v);
  }

  /** The rport value: a number, `null` for the bare flag, `undefined` when absent. */
  get rport(): number | null | undefined {
    const r = this.params.get('rport');
    if (r === undefined || r === null) return r;
    const n = parsePort(r);
    return n === undefined ? null : n;
  }

  set rport(v: number | null | undefined) {
    if (v === undefined) this.params.delete('rport');
    else this.params.set('rport', v === null ? null : String(v));
  }

  /** The host without IPv6 brackets. */
  get hostname(): string {
    return this.host.charCodeAt(0) === 91 ? this.host.slice(1, -1) : this.host;
  }

  static parse(text: string): Via {
    const s = text.trim();
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport, with LWS allowed around SLASH.
    const m = /^([^\s/]+)[ \t]*\/[ \t]*([^\s/]+)[ \t]*\/[ \t]*([^\s/;]+)[ \t]+(.*)$/s.exec(s);
    if (!m) throw new SipParseError(`bad Via "${clip(s)}"`);
    const [, name, version, transport, rest] = m as unknown as [string, string, string, string, string];
    if (!isToken(name) || !isToken(version) || !isToken(transport)) throw new SipParseError(`bad Via protocol in "${clip(s)}"`);
    const semi = rest.indexOf(';');
    const sentBy = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    let host = sentBy;
    let port: number | undefined;
    if (sentBy.charCodeAt(0) === 91) {
      const close = sentBy.indexOf(']');
      if (close < 0) throw new SipParseError(`bad Via host in "${clip(s)}"`);
      host = sentBy.slice(0, close + 1);
      const after = sentBy.slice(close + 1).trim();
      if (after.length > 0) {
        port = after.charCodeAt(0) === 58 ? parsePort(after.slice(1).trim()) : undefined;
        if (port === undefined) throw new SipParseError(`bad Via port in "${clip(s)}"`);
      }
    } else {
      const colon = sentBy.indexOf(':');
      if (colon >= 0) {
        host = sentBy.slice(0, colon).trim();
        port = parsePort(sentBy.slice(colon + 1).trim());
        if (port === undefined) throw new SipParseError(`bad Via port in "${clip(s)}"`);
      }
    }
    if (!isHost(host)) throw new SipParseError(`bad Via host "${clip(host)}"`);
    const init: ConstructorParameters<typeof Via>[0] = {
      protocol: `${name}/${version}`,
      transport,
      host,
      params: Parameters.parse(semi < 0 ? '' : rest.slice(semi), ';', 'Via parameter'),
    };
    if (port !== undefined) init.port = port;
    return new Via(init);
  }

  clone(): Via {
    const init: ConstructorParameters<typeof Via>[0] = {
      protocol: this.protocol,
      transport: this.transport,
      host: this.host,
      params: this.params.clone(),
    };
    if (this.port !== undefined) init.port = this.port;
    return new Via(init);
  }

  toString(): string {
    return `${this.protocol}/${this.transport} ${this.host}${this.port !== undefined ? ':' + this.port : ''}${this.params.toString(';')}`;
  }
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
