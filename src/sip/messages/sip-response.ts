import type { HeaderField } from './header-field.js';
import type { HeaderTable } from './header-table.js';
import { defaultReason } from './reason-phrases.js';
import { SipMessage, toBody, toTable } from './sip-message.js';

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessage {
  status: number;
  reason: string;
  /** The parsed status line's values, which serialize() copies while they are unchanged. */
  private readonly sourceStatus: number;
  private readonly sourceReason: string;

  constructor(status: number, reason: string, table: HeaderTable, body: Buffer) {
    super(table, body);
    this.status = status;
    this.reason = reason;
    this.sourceStatus = status;
    this.sourceReason = reason;
  }

  static create(init: {
    status: number;
    reason?: string;
    headers?: Array<[string, string]> | HeaderField[];
    body?: Buffer | string;
  }): SipResponse {
    return new SipResponse(init.status, init.reason ?? defaultReason(init.status), toTable(init.headers), toBody(init.body));
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }

  protected startLineUnchanged(): boolean {
    return this.status === this.sourceStatus && this.reason === this.sourceReason;
  }

  clone(): SipResponse {
    const copy = new SipResponse(this.status, this.reason, this.table.clone(), Buffer.from(this.body));
    this.copySourceLayoutTo(copy);
    return copy;
  }
}
