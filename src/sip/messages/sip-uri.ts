import { Parameters } from './parameters.js';

/** A `sip:` or `sips:` URI (RFC 3261 §19.1). Parts are kept as written (escaped). */
export class SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** As written; an IPv6 reference keeps its brackets (`[::1]`). */
  host: string;
  port?: number;
  params: Parameters;
  headers: Parameters;

  constructor(init: {
    scheme?: 'sip' | 'sips';
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params?: Parameters;
    headers?: Parameters;
  }) {
    this.scheme = init.scheme ?? 'sip';
    if (init.user !== undefined) this.user = init.user;
    if (init.password !== undefined) this.password = init.password;
    this.host = init.host;
    if (init.port !== undefined) this.port = init.port;
    this.params = init.params ?? new Parameters();
    this.headers = init.headers ?? new Parameters();
  }

  /** The host without IPv6 brackets, as a socket or resolver wants it. */
  get hostname(): string {
    return this.host.charCodeAt(0) === 91 ? this.host.slice(1, -1) : this.host;
  }

  /** The lower-cased `transport` parameter, if any. */
  get transport(): string | undefined {
    const t = this.params.get('transport');
    return typeof t === 'string' ? t.toLowerCase() : undefined;
  }

  clone(): SipUri {
    const init: ConstructorParameters<typeof SipUri>[0] = {
      scheme: this.scheme,
      host: this.host,
      params: this.params.clone(),
      headers: this.headers.clone(),
    };
    if (this.user !== undefined) init.user = this.user;
    if (this.password !== undefined) init.password = this.password;
    if (this.port !== undefined) init.port = this.port;
    return new SipUri(init);
  }

  toString(): string {
    let s = this.scheme + ':';
    if (this.user !== undefined) {
      s += this.user;
      if (this.password !== undefined) s += ':' + this.password;
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += ':' + this.port;
    s += this.params.toString(';');
    const headers = this.headers.toString('&');
    if (headers.length > 0) s += '?' + headers;
    return s;
  }
}
