import { type StationControl, StationControlError, type StationEvent } from '../../src/api/station-control.js';
import { StationStatus } from '../../src/intercom/station-status.js';

/** A StationControl that records what the API asked for. */
export class FakeStationControl implements StationControl {
  readonly status_ = new StationStatus();
  readonly opened: string[] = [];
  readonly calls: string[] = [];
  readonly inputs: Array<[string, boolean]> = [];
  hangUps = 0;
  inCall = false;
  private readonly listeners = new Set<(e: StationEvent) => void>();

  constructor(readonly simulation = true) {}

  status() {
    return this.status_.snapshot();
  }

  async openDoor(relay?: string) {
    const name = relay ?? 'front';
    if (name !== 'front' && name !== 'gate') throw new StationControlError('PORTIER_ERR_UNKNOWN_RELAY', `no relay named ${name}`);
    this.opened.push(name);
    return { relay: name };
  }

  async placeCall(target: string) {
    if (this.inCall) throw new StationControlError('PORTIER_ERR_CALL_IN_PROGRESS', 'a call is in progress');
    if (target === 'boom') throw new Error('something internal broke');
    this.calls.push(target);
    this.inCall = true;
    return { target };
  }

  async hangUp() {
    if (!this.inCall) throw new StationControlError('PORTIER_ERR_NO_CALL', 'no call to hang up');
    this.inCall = false;
    this.hangUps++;
  }

  setSimulatedInput(name: string, pressed: boolean) {
    if (name !== 'bell1') throw new StationControlError('PORTIER_ERR_UNKNOWN_INPUT', `no input named ${name}`);
    this.inputs.push([name, pressed]);
  }

  subscribe(listener: (e: StationEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: StationEvent): void {
    for (const l of this.listeners) l(event);
  }
}
