import { PortierError } from '../../util/portier-error.js';

/** A telephone-event payload that is too short or has out-of-range fields. */
export class TelephoneEventPayloadError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_TELEPHONE_EVENT_PAYLOAD', message);
  }
}

/** A SIP INFO DTMF body (application/dtmf-relay or application/dtmf) with no valid signal. */
export class DtmfInfoBodyError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_DTMF_INFO_BODY', message);
  }
}

/** A key that is not one of the 16 DTMF keys was handed to a DTMF sender. */
export class DtmfDigitError extends PortierError {
  constructor(value: string) {
    super('PORTIER_ERR_DTMF_DIGIT', `not a DTMF key: ${JSON.stringify(value)}`);
  }
}
