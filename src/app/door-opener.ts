import { StationControlError } from '../api/station-control.js';
import type { RelayConfig } from '../config/portier-config.js';
import type { DoorOpenMethod } from '../events/event-log.js';
import type { StationHardware } from './station-hardware.js';

/** A door that was opened. */
export interface DoorOpening {
  relay: string;
  method: DoorOpenMethod;
  caller?: string;
}

/**
 * Opens doors: a relay configured with `hold: false` is pulsed for `pulseMs`
 * (a second opening while it pulses extends the pulse); one with `hold: true`
 * toggles between held open and released. The relay switches synchronously,
 * before anything is logged or played.
 */
export class DoorOpener {
  constructor(
    private readonly hardware: StationHardware,
    private readonly relays: () => readonly RelayConfig[],
    private readonly onOpened: (opening: DoorOpening) => void,
  ) {}

  /** Opens `relay` (the first configured one when unset); returns the relay name. */
  open(relay: string | undefined, method: DoorOpenMethod, caller?: string): string {
    const config = relay === undefined ? this.relays()[0] : this.relays().find((r) => r.name === relay);
    const controller = config ? this.hardware.relays.get(config.name) : undefined;
    if (!config || !controller) {
      const names = this.relays().map((r) => r.name);
      throw new StationControlError('PORTIER_ERR_UNKNOWN_RELAY', `no relay named ${relay ?? '(any)'}; configured: ${names.join(', ') || '(none)'}`);
    }
    if (!config.hold) controller.pulse(config.pulseMs);
    else if (controller.isEnergized) {
      controller.release();
      return config.name;
    } else controller.hold();
    this.onOpened({ relay: config.name, method, ...(caller !== undefined ? { caller } : {}) });
    return config.name;
  }
}
