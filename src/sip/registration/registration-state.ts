import type { PortierError } from '../../util/portier-error.js';

/** Where a registration stands (reported to the app, LEDs and systemd STATUS). */
export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed' | 'unregistering';

/**
 * Allowed transitions. `registered → registered` is a successful refresh;
 * `failed → failed` a retry that failed again.
 */
export const REGISTRATION_TRANSITIONS: Record<RegistrationState, readonly RegistrationState[]> = {
  unregistered: ['registering'],
  registering: ['registered', 'failed', 'unregistering', 'unregistered'],
  registered: ['registered', 'registering', 'failed', 'unregistering', 'unregistered'],
  failed: ['registering', 'failed', 'unregistering', 'unregistered'],
  unregistering: ['unregistered'],
};

/** A snapshot of a registration, as emitted on every change. */
export interface RegistrationStatus {
  state: RegistrationState;
  /** The registrar URI in use. */
  registrar: string;
  /** Seconds the registrar granted to our Contact (when registered). */
  expires?: number;
  /** Our Contact as registered. */
  contact?: string;
  /** Why the last attempt failed. */
  error?: PortierError;
  /** When failed: milliseconds until the next attempt. */
  retryInMs?: number;
}
