import { PortierError } from '../../util/portier-error.js';

/** RFC 3263 resolution found nowhere to send (no records, unusable transport), naming the host. */
export class ServerLocateError extends PortierError {
  readonly host: string;

  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super('SIP_ERR_SERVER_LOCATE', message, options);
    this.host = host;
  }
}
