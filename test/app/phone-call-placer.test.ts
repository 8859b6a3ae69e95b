import { describe, expect, it, vi } from 'vitest';
import { PlacedCall } from '../../src/app/phone-call-placer.js';
import type { Call } from '../../src/calls/call.js';
import { TypedEmitter } from '../../src/util/typed-emitter.js';

class FakeCall extends TypedEmitter<{ state: [string]; ended: [{ reason: string; status?: number }] }> {
  hangUp = vi.fn(async () => undefined);
}

describe('PlacedCall', () => {
  it('a cancel before Phone.call() resolved is carried out when the call arrives', () => {
    const placed = new PlacedCall('sip:flat@pbx');
    placed.cancel();
    const call = new FakeCall();
    const answered = vi.fn();
    placed.attach(call as unknown as Call, answered);
    expect(call.hangUp).toHaveBeenCalledTimes(1);
    call.emit('state', 'connected');
    // An answer that crossed the CANCEL is not announced as this plan's call.
    expect(answered).not.toHaveBeenCalled();
  });

  it('maps call states onto the plan runner events: ringing, answered, ended / failed with status', () => {
    const placed = new PlacedCall('sip:flat@pbx');
    const seen: string[] = [];
    placed.on('ringing', () => seen.push('ringing'));
    placed.on('answered', () => seen.push('answered'));
    placed.on('failed', (status) => seen.push(`failed ${status}`));
    placed.on('ended', (reason) => seen.push(`ended ${reason}`));
    const call = new FakeCall();
    const answered = vi.fn();
    placed.attach(call as unknown as Call, answered);
    call.emit('state', 'ringing');
    call.emit('state', 'connected');
    call.emit('ended', { reason: 'bye-remote' });
    expect(seen).toEqual(['ringing', 'answered', 'ended bye-remote']);
    expect(answered).toHaveBeenCalledTimes(1);

    const busy = new PlacedCall('sip:x@pbx');
    const failed: number[] = [];
    busy.on('failed', (s) => failed.push(s));
    const c2 = new FakeCall();
    busy.attach(c2 as unknown as Call, () => undefined);
    c2.emit('ended', { reason: 'rejected', status: 486 });
    c2.emit('ended', { reason: 'rejected', status: 486 });
    expect(failed).toEqual([486]);
  });

  it('reports a call that could not be placed as failed with status 0', () => {
    const placed = new PlacedCall('sip:x@pbx');
    const failed: number[] = [];
    placed.on('failed', (s) => failed.push(s));
    placed.fail('no RTP port');
    placed.fail('again');
    expect(failed).toEqual([0]);
  });
});
