import { StationControlError, type StationControl } from '../api/station-control.js';
import type { DoorStation } from './door-station.js';
import type { StationRuntime } from './station-runtime.js';

/** The HTTP API's view of a door station (open, call, hang up, simulated inputs, events). */
export function doorStationControl(station: DoorStation): StationControl {
  const runtime = (): StationRuntime => {
    const r = station.current;
    if (!r) throw new StationControlError('PORTIER_ERR_UNAVAILABLE', 'the door station is restarting; try again in a moment');
    return r;
  };
  return {
    get simulation() {
      return station.simulation;
    },
    status: () => station.status.snapshot(),
    openDoor: async (relay) => ({ relay: runtime().openDoor(relay, 'api') }),
    placeCall: async (target) => {
      runtime().placeCall(target);
      return { target };
    },
    hangUp: () => runtime().hangUp(),
    setSimulatedInput: (name, pressed) => runtime().simulate(name, pressed),
    subscribe: (listener) => station.subscribe(listener),
  };
}
