import type { HeaderField } from './header-field.js';
import { SipMessage, toBody, toFields } from './sip-message.js';
import { parseUri, type Uri } from './uri.js';

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessage {
  method: string;
  uri: Uri;

  constructor(method: string, uri: Uri, fields: HeaderField[], body: Buffer, keys?: string[]) {
    super(fields, body, keys);
    this.method = method;
    this.uri = uri;
  }

  static create(init: {
    method: string;
    uri: Uri | string;
    headers?: Array<[string, string]> | HeaderField[];
    body?: Buffer | string;
  }): SipRequest {
    const uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
    return new SipRequest(init.method, uri, toFields(init.headers), toBody(init.body));
  }

  startLine(): string {
    return `${this.method} ${this.uri.toString()} SIP/2.0`;
  }

  clone(): SipRequest {
    const { fields, keys } = this.copyFields();
    return new SipRequest(this.method, this.uri.clone(), fields, Buffer.from(this.body), keys);
  }
}
