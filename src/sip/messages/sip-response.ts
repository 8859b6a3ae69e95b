import type { HeaderField } from './header-field.js';
import { defaultReason } from './reason-phrases.js';
import { SipMessage, toBody, toFields } from './sip-message.js';

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessage {
  status: number;
  reason: string;

  constructor(status: number, reason: string, fields: HeaderField[], body: Buffer, keys?: string[]) {
    super(fields, body, keys);
    this.status = status;
    this.reason = reason;
  }

  static create(init: {
    status: number;
    reason?: string;
    headers?: Array<[string, string]> | HeaderField[];
    body?: Buffer | string;
  }): SipResponse {
    return new SipResponse(init.status, init.reason ?? defaultReason(init.status), toFields(init.headers), toBody(init.body));
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }

  clone(): SipResponse {
    const { fields, keys } = this.copyFields();
    return new SipResponse(this.status, this.reason, fields, Buffer.from(this.body), keys);
  }
}
