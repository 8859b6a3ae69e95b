import type { HeaderField } from './header-field.js';
import type { HeaderTable } from './header-table.js';
import { SipMessage, toBody, toTable } from './sip-message.js';
import { SipUri } from './sip-uri.js';
import { parseUri, type Uri } from './uri.js';

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessage {
  method: string;
  uri: Uri;
  /** The method and Request-URI text of the parsed start line, which serialize() copies while they are unchanged. */
  private readonly sourceMethod: string;
  private readonly sourceUri: string | undefined;
  /**
   * The parsed Request-URI object and its parts as parsed, when it encodes to exactly
   * its source text (see adoptCanonicalUri): while they are all the same, so is its text.
   */
  private sourceUriParts: unknown[] | undefined = undefined;

  /** `sourceUri`: the Request-URI as written in the parsed start line, if the message was parsed. */
  constructor(method: string, uri: Uri, table: HeaderTable, body: Buffer, sourceUri?: string) {
    super(table, body);
    this.method = method;
    this.uri = uri;
    this.sourceMethod = method;
    this.sourceUri = sourceUri;
  }

  static create(init: {
    method: string;
    uri: Uri | string;
    headers?: Array<[string, string]> | HeaderField[];
    body?: Buffer | string;
  }): SipRequest {
    const uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
    return new SipRequest(init.method, uri, toTable(init.headers), toBody(init.body));
  }

  startLine(): string {
    return `${this.method} ${this.uri.toString()} SIP/2.0`;
  }

  /**
   * For the parser: the Request-URI encodes to exactly the text it was parsed from, so
   * that an unchanged one need not be encoded to be compared with it.
   * @internal
   */
  adoptCanonicalUri(): void {
    const u = this.uri;
    if (u instanceof SipUri) this.sourceUriParts = [u, u.scheme, u.user, u.password, u.host, u.port, u.params.toString(';'), u.headers.toString('&')];
  }

  protected startLineUnchanged(): boolean {
    if (this.method !== this.sourceMethod) return false;
    // `uri` is a mutable object that may have been changed in place: compare its parts
    // with what they were, or else its text.
    const u = this.uri;
    const p = this.sourceUriParts;
    if (
      p !== undefined &&
      u === p[0] &&
      u instanceof SipUri &&
      u.scheme === p[1] &&
      u.user === p[2] &&
      u.password === p[3] &&
      u.host === p[4] &&
      u.port === p[5] &&
      u.params.toString(';') === p[6] &&
      u.headers.toString('&') === p[7]
    ) {
      return true;
    }
    return u.toString() === this.sourceUri;
  }

  clone(): SipRequest {
    const copy = new SipRequest(this.method, this.uri.clone(), this.table.clone(), Buffer.from(this.body), this.sourceUri);
    this.copySourceLayoutTo(copy);
    return copy;
  }
}
