import { PortierError } from '../../util/portier-error.js';

/** The registrar refused the registration with a final response other than 2xx. */
export class RegistrationRejectedError extends PortierError {
  constructor(readonly status: number, reason: string, registrar: string) {
    super('SIP_ERR_REGISTRATION_REJECTED', `registrar ${registrar} answered ${status} ${reason}`);
  }
}
