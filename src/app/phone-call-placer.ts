import type { Call } from '../calls/call.js';
import type { CallPlacer, OutgoingCallEvents, OutgoingCallHandle, PlaceCallOptions } from '../intercom/call-placer.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { SipService } from './sip-service.js';
import { targetUri } from './sip-service.js';

/** Events of the placer: a placed call that was answered and not abandoned, with its Call. */
export type PhoneCallPlacerEvents = {
  answered: [call: Call, target: string];
};

/**
 * One outgoing call attempt as the call plan sees it. `Phone.call()` resolves only
 * after the RTP ports are bound, so a cancel() that comes first is remembered and
 * carried out once the call exists.
 */
export class PlacedCall extends TypedEmitter<OutgoingCallEvents> implements OutgoingCallHandle {
  call: Call | undefined;
  private abandoned = false;
  private answered = false;
  private finished = false;

  constructor(readonly target: string) {
    super();
  }

  /** Whether cancel() or hangUp() was asked for. */
  get isAbandoned(): boolean {
    return this.abandoned;
  }

  cancel(): void {
    this.abandoned = true;
    if (this.call && !this.answered) void this.call.hangUp();
  }

  hangUp(): void {
    this.abandoned = true;
    if (this.call) void this.call.hangUp();
  }

  /** Joins the Call once `Phone.call()` resolved. */
  attach(call: Call, onAnswered: () => void): void {
    this.call = call;
    call.on('state', (state) => {
      if (state === 'ringing' || state === 'early') this.emit('ringing');
      else if (state === 'connected' && !this.answered) {
        this.answered = true;
        this.emit('answered');
        if (!this.abandoned) onAnswered();
      }
    });
    call.on('ended', (info) => {
      if (this.finished) return;
      this.finished = true;
      if (this.answered) this.emit('ended', info.reason);
      else this.emit('failed', info.status ?? (info.reason === 'timeout' ? 408 : 0), info.reason);
    });
    if (this.abandoned) void call.hangUp();
  }

  /** `Phone.call()` failed (no RTP port, unusable target). */
  fail(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.emit('failed', 0, reason);
  }
}

/**
 * The intercom's CallPlacer on the door station's phones: a target is dialled from
 * the plan's account (the first by default), a bare extension at its registrar.
 */
export class PhoneCallPlacer extends TypedEmitter<PhoneCallPlacerEvents> implements CallPlacer {
  private readonly logger: Logger;

  constructor(
    private readonly sip: () => SipService,
    logger: Logger = silentLogger,
  ) {
    super();
    this.logger = logger.child({ component: 'placer' });
  }

  placeCall(target: string, options: PlaceCallOptions): OutgoingCallHandle {
    const line = this.sip().line(options.account);
    // Throws on a malformed target: the plan runner reports that attempt failed.
    const uri = targetUri(target, line.account);
    const placed = new PlacedCall(target);
    line.phone.call(uri).then(
      (call) => placed.attach(call, () => this.emit('answered', call, target)),
      (error: unknown) => {
        this.logger.warn('call could not be placed', { target, error: error as Error });
        // Reported on the next turn: the runner subscribes after placeCall() returns.
        queueMicrotask(() => placed.fail((error as Error).message));
      },
    );
    return placed;
  }
}
