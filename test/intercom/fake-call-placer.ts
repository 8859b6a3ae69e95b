import type { CallPlacer, OutgoingCallEvents, OutgoingCallHandle, PlaceCallOptions } from '../../src/intercom/call-placer.js';
import { TypedEmitter } from '../../src/util/typed-emitter.js';

/** A call attempt the test drives by hand. */
export class FakeCall extends TypedEmitter<OutgoingCallEvents> implements OutgoingCallHandle {
  cancelled = false;
  hungUp = false;

  constructor(
    readonly target: string,
    readonly options: PlaceCallOptions,
  ) {
    super();
  }

  cancel(): void {
    this.cancelled = true;
  }

  hangUp(): void {
    this.hungUp = true;
  }
}

/** Records every placed call; `fail` makes placing a target throw. */
export class FakeCallPlacer implements CallPlacer {
  readonly calls: FakeCall[] = [];
  readonly throwFor = new Set<string>();

  placeCall(target: string, options: PlaceCallOptions): OutgoingCallHandle {
    if (this.throwFor.has(target)) throw new Error(`no route to ${target}`);
    const call = new FakeCall(target, options);
    this.calls.push(call);
    return call;
  }

  /** The most recent call to `target`. */
  last(target: string): FakeCall {
    const call = [...this.calls].reverse().find((c) => c.target === target);
    if (!call) throw new Error(`no call to ${target}`);
    return call;
  }
}
