import type { StationStatusSnapshot } from '../intercom/station-status.js';
import { PortierError } from '../util/portier-error.js';

/** Something that happened at the door station, as streamed by `GET /events`. `time` is ISO 8601 UTC. */
export type StationEvent =
  | { type: 'press'; time: string; input: string; long: boolean }
  | { type: 'call'; time: string; state: 'ringing' | 'connected' | 'ended'; direction: 'outgoing' | 'incoming'; peer?: string; reason?: string }
  | { type: 'door'; time: string; relay: string; method: string; caller?: string }
  | { type: 'registration'; time: string; account: string; state: string; detail?: string }
  | { type: 'alarm'; time: string; alarm: string; detail?: string };

/** Stable codes a {@link StationControl} may fail with; the HTTP API maps each to a status. */
export type StationControlErrorCode =
  | 'PORTIER_ERR_UNKNOWN_RELAY'
  | 'PORTIER_ERR_UNKNOWN_INPUT'
  | 'PORTIER_ERR_CALL_IN_PROGRESS'
  | 'PORTIER_ERR_NO_CALL'
  | 'PORTIER_ERR_INVALID_TARGET'
  | 'PORTIER_ERR_UNAVAILABLE';

/** A request to the station that cannot be carried out (unknown relay, no call to hang up…). */
export class StationControlError extends PortierError {
  declare readonly code: StationControlErrorCode;

  constructor(code: StationControlErrorCode, message: string) {
    super(code, message);
  }
}

/**
 * What the HTTP API needs from the running door station. The app implements it;
 * methods throw {@link StationControlError} for requests they refuse.
 */
export interface StationControl {
  /** Whether the station runs on simulated hardware (enables `/sim/…`). */
  readonly simulation: boolean;
  status(): StationStatusSnapshot;
  /** Opens `relay`, or the first configured relay when unset; resolves with the relay opened. */
  openDoor(relay?: string): Promise<{ relay: string }>;
  /** Calls `target` (SIP URI or extension) as if a bell button was pressed. */
  placeCall(target: string): Promise<{ target: string }>;
  /** Ends the current call or ringing. */
  hangUp(): Promise<void>;
  /** Simulation only: presses or releases the simulated input `name`. */
  setSimulatedInput(name: string, pressed: boolean): void;
  /** Delivers every station event to `listener` until the returned function is called. */
  subscribe(listener: (event: StationEvent) => void): () => void;
}
