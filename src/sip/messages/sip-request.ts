import type { HeaderField } from './header-field.js';
import type { HeaderTable } from './header-table.js';
import { SipMessage, toBody, toTable } from './sip-message.js';
import { parseUri, type Uri } from './uri.js';

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessage {
  method: string;
  uri: Uri;
  /** The method and Request-URI text of the parsed start line, which serialize() copies while they are unchanged. */
  private readonly sourceMethod: string;
  private readonly sourceUri: string | undefined;

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

  protected startLineUnchanged(): boolean {
    // `uri` is a mutable object that may have been changed in place: compare its text.
    return this.method === this.sourceMethod && this.uri.toString() === this.sourceUri;
  }

  clone(): SipRequest {
    const copy = new SipRequest(this.method, this.uri.clone(), this.table.clone(), Buffer.from(this.body), this.sourceUri);
    this.copySourceLayoutTo(copy);
    return copy;
  }
}
