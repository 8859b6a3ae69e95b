import { afterEach, describe, expect, it } from 'vitest';
import { readSessionExpires } from '../../../src/sip/sessions/session-expires.js';
import { connect, next, requestsOf, responsesOf, stopParties, until, type Call } from './session-test-kit.js';

const SHORT = { sessionTimers: { expires: 2, minSE: 1 } };

describe('session timers (RFC 4028) between two stacks', () => {
  let c: Call | undefined;
  afterEach(async () => {
    if (c) await stopParties(c.alice, c.bob);
    c = undefined;
  });

  it('negotiates the caller as refresher and refreshes with UPDATE at half the interval', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    const { alice, bob, call, answered } = c;
    const invite = requestsOf(alice.sent, 'INVITE')[0]!;
    expect(readSessionExpires(invite)).toEqual({ interval: 2 });
    expect(invite.getHeader('Min-SE')).toBe('1');
    const ok = responsesOf(bob.sent, 'INVITE').find((r) => r.status === 200)!;
    expect(readSessionExpires(ok)).toEqual({ interval: 2, refresher: 'uac' });
    expect(ok.require).toContain('timer');
    expect(call.sessionTimerState).toEqual({ interval: 2, weRefresh: true });
    expect(answered.sessionTimerState).toEqual({ interval: 2, weRefresh: false });
    await new Promise((r) => setTimeout(r, 2600));
    const updates = requestsOf(alice.sent, 'UPDATE');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(readSessionExpires(updates[0]!)).toEqual({ interval: 2, refresher: 'uac' });
    expect(updates[0]!.body.length).toBe(0);
    // The refreshee's expiry (2 − 2/3 s) was pushed back by every refresh: the call is still up.
    expect(call.state).toBe('Confirmed');
    expect(answered.state).toBe('Confirmed');
  });

  it('refreshes with re-INVITE when configured so', async () => {
    c = await connect('tcp', { alice: { session: { sessionTimers: { expires: 2, minSE: 1, refreshMethod: 'invite' } } }, bob: { session: SHORT } });
    const refreshed = next(c.answered, 'reinvite', 3000);
    await refreshed;
    const reinvite = requestsOf(c.alice.sent, 'INVITE')[1]!;
    expect(readSessionExpires(reinvite)).toEqual({ interval: 2, refresher: 'uac' });
    expect(reinvite.body.toString()).toContain('o=alice');
    expect(c.call.state).toBe('Confirmed');
  });

  it('lets the callee refresh when the caller asks for refresher=uas', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    // connect() used the default INVITE; place a second call with refresher=uas on the same parties.
    const { alice, bob } = c;
    const incoming = next(bob.manager, 'invitation');
    const call = alice.manager.invite(bob.uri, { headers: [['Session-Expires', '2;refresher=uas']] });
    const [answered] = await incoming;
    await answered.accept();
    await next(call, 'accepted');
    expect(answered.sessionTimerState).toEqual({ interval: 2, weRefresh: true });
    expect(call.sessionTimerState).toEqual({ interval: 2, weRefresh: false });
    await new Promise((r) => setTimeout(r, 1500));
    expect(requestsOf(bob.sent, 'UPDATE').filter((u) => u.callId === call.callId).length).toBeGreaterThanOrEqual(1);
    expect(call.state).toBe('Confirmed');
  });

  it('ends the call with BYE when the refresher stops refreshing', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    const { alice, call, answered } = c;
    const send = alice.stack.transport.sendRequest.bind(alice.stack.transport);
    alice.stack.transport.sendRequest = async (request, target) => {
      if (request.method === 'UPDATE') return;
      return send(request, target);
    };
    const started = Date.now();
    const [[b], [a]] = await Promise.all([next(answered, 'ended', 4000), next(call, 'ended', 4000)]);
    expect(b.reason).toBe('session-expired');
    expect(a.reason).toBe('bye-remote');
    // interval − min(32, interval/3) = 1.33 s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1200);
  });

  it('raises Session-Expires after a 422 with Min-SE (RFC 4028 §7.4)', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: { sessionTimers: { expires: 3, minSE: 3 } } } });
    const { alice, call } = c;
    const invites = requestsOf(alice.sent, 'INVITE');
    expect(invites).toHaveLength(2);
    expect(responsesOf(alice.received, 'INVITE').some((r) => r.status === 422 && r.getHeader('Min-SE') === '3')).toBe(true);
    expect(invites[1]!.cseq.seq).toBe(2);
    expect(invites[1]!.callId).toBe(invites[0]!.callId);
    expect(invites[1]!.from.tag).toBe(invites[0]!.from.tag);
    expect(readSessionExpires(invites[1]!)?.interval).toBe(3);
    expect(call.sessionTimerState?.interval).toBe(3);
  });

  /** Makes bob answer alice's first `count` UPDATEs with `status` (and `headers`) on the wire instead of its 200. */
  function failUpdates(bob: Call['bob'], status: number, headers: Array<[string, string]> = [], count = 1): void {
    const send = bob.stack.transport.sendResponse.bind(bob.stack.transport);
    let failed = 0;
    bob.stack.transport.sendResponse = async (response, to) => {
      if (failed < count && response.cseq.method === 'UPDATE' && response.status === 200) {
        failed++;
        const refused = response.clone();
        refused.status = status;
        refused.reason = status === 422 ? 'Session Interval Too Small' : 'Server Internal Error';
        refused.removeHeader('Session-Expires');
        refused.removeHeader('Require');
        for (const [name, value] of headers) refused.setHeader(name, value);
        return send(refused, to);
      }
      return send(response, to);
    };
  }

  it('retries a refresh answered 500 once, after a short delay, so the session does not expire', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    const { alice, bob, call, answered } = c;
    failUpdates(bob, 500);
    // Refresh at 1 s is refused; without a retry the refresher gives up at the full interval (2 s).
    await new Promise((r) => setTimeout(r, 2600));
    const statuses = responsesOf(alice.received, 'UPDATE').map((r) => r.status);
    expect(statuses[0]).toBe(500);
    expect(statuses).toContain(200);
    const updates = requestsOf(alice.sent, 'UPDATE');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(call.state).toBe('Confirmed');
    expect(answered.state).toBe('Confirmed');
  });

  it('retries a refresh answered 422 with the larger Session-Expires from its Min-SE (RFC 4028 §7.4)', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    const { alice, bob, call } = c;
    failUpdates(bob, 422, [['Min-SE', '3']]);
    await until(() => requestsOf(alice.sent, 'UPDATE').length >= 2, 2500, 'a second UPDATE');
    const [first, retried] = requestsOf(alice.sent, 'UPDATE');
    expect(readSessionExpires(first!)?.interval).toBe(2);
    expect(readSessionExpires(retried!)).toEqual({ interval: 3, refresher: 'uac' });
    expect(retried!.getHeader('Min-SE')).toBe('3');
    await until(() => call.sessionTimerState?.interval === 3, 2000, 'the interval raised to 3 s');
    await new Promise((r) => setTimeout(r, 1200));
    expect(call.state).toBe('Confirmed');
  });

  it('gives up after one failed retry: no third UPDATE, and the session ends at its expiry', async () => {
    c = await connect('udp', { alice: { session: SHORT }, bob: { session: SHORT } });
    const { alice, bob, call } = c;
    failUpdates(bob, 500, [], 5);
    const [ended] = await next(call, 'ended', 4000);
    expect(ended.reason).toBe('session-expired');
    expect(requestsOf(alice.sent, 'UPDATE')).toHaveLength(2);
  });

  it('runs no timer when session timers are off', async () => {
    c = await connect('udp', { alice: { session: { sessionTimers: false } }, bob: { session: { sessionTimers: false } } });
    expect(requestsOf(c.alice.sent, 'INVITE')[0]!.hasHeader('Session-Expires')).toBe(false);
    expect(c.call.sessionTimerState).toBeUndefined();
    expect(c.answered.sessionTimerState).toBeUndefined();
  });
});
