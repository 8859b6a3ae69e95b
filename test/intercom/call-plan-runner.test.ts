import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CallPlan, CallPlanError, type CallPlanStateChange, CallPlanRunner } from '../../src/intercom/call-plan-runner.js';
import { FakeCallPlacer } from './fake-call-placer.js';

const A = 'sip:a@pbx';
const B = 'sip:b@pbx';
const C = 'sip:c@pbx';

function plan(overrides: Partial<CallPlan> = {}): CallPlan {
  return {
    targets: [
      { uri: A, ringSeconds: 20 },
      { uri: B, ringSeconds: 20 },
    ],
    mode: 'parallel',
    repeat: 1,
    ringTimeoutSeconds: 120,
    pressAgainCancels: false,
    callLimitSeconds: 0,
    callLimitWarningSeconds: 0,
    hangUpAfterDoorOpenSeconds: 0,
    ...overrides,
  };
}

function setup(overrides: Partial<CallPlan> = {}) {
  const placer = new FakeCallPlacer();
  const runner = new CallPlanRunner({ plan: plan(overrides), placer });
  const states: CallPlanStateChange[] = [];
  const attempts: string[] = [];
  const warnings: number[] = [];
  runner.on('state', (s) => states.push(s));
  runner.on('attempt', (a) => attempts.push(`${a.cycle}:${a.target}:${a.outcome}${a.status !== undefined ? `:${a.status}` : ''}`));
  runner.on('warning', (w) => warnings.push(w.secondsLeft));
  return { placer, runner, states, attempts, warnings };
}

describe('CallPlanRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('parallel', () => {
    it('rings every target at once, the first answer wins and the others are cancelled', () => {
      const { placer, runner, states } = setup({ targets: [{ uri: A, ringSeconds: 20 }, { uri: B, ringSeconds: 20 }, { uri: C, ringSeconds: 20 }], account: 'door' });
      runner.start();
      expect(placer.calls.map((c) => c.target)).toEqual([A, B, C]);
      expect(placer.calls[0]!.options).toEqual({ account: 'door' });
      placer.last(B).emit('answered');
      expect(runner.state).toBe('connected');
      expect(runner.connectedTarget).toBe(B);
      expect(placer.last(A).cancelled).toBe(true);
      expect(placer.last(C).cancelled).toBe(true);
      expect(placer.last(B).cancelled).toBe(false);
      placer.last(B).emit('ended', 'bye');
      expect(states).toEqual([{ state: 'ringing' }, { state: 'connected', target: B }, { state: 'ended', reason: 'remote-hangup', target: B }]);
      expect(placer.last(B).hungUp).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps ringing the others when one target is busy, and fails only when all failed', () => {
      const { placer, runner, states } = setup();
      runner.start();
      placer.last(A).emit('failed', 486);
      expect(runner.state).toBe('ringing');
      placer.last(B).emit('failed', 603);
      expect(states.at(-1)).toEqual({ state: 'ended', reason: 'busy' });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('reports failed (not busy) when a failure was not a busy status', () => {
      const { placer, runner, states } = setup();
      runner.start();
      placer.last(A).emit('failed', 486);
      placer.last(B).emit('failed', 503);
      expect(states.at(-1)).toEqual({ state: 'ended', reason: 'failed' });
    });

    it('still rings the other targets when placing one throws', () => {
      const { placer, runner, attempts } = setup();
      placer.throwFor.add(A);
      runner.start();
      expect(runner.state).toBe('ringing');
      expect(attempts).toEqual([`1:${A}:failed:0`, `1:${B}:placed`]);
      placer.last(B).emit('answered');
      expect(runner.state).toBe('connected');
    });

    it('ends as no-answer when a target rang out and the repeats are used up', () => {
      const { placer, runner, states, attempts } = setup({ targets: [{ uri: A, ringSeconds: 10 }, { uri: B, ringSeconds: 30 }] });
      runner.start();
      placer.last(B).emit('ringing');
      vi.advanceTimersByTime(10_000);
      expect(placer.last(A).cancelled).toBe(true);
      expect(runner.state).toBe('ringing');
      vi.advanceTimersByTime(20_000);
      expect(placer.last(B).cancelled).toBe(true);
      expect(states.at(-1)).toEqual({ state: 'ended', reason: 'no-answer' });
      expect(attempts).toEqual([`1:${A}:placed`, `1:${B}:placed`, `1:${B}:ringing`, `1:${A}:timeout`, `1:${B}:timeout`]);
    });
  });

  describe('sequential', () => {
    it('rings each target for its ring time, then the next', () => {
      const { placer, runner } = setup({ mode: 'sequential', targets: [{ uri: A, ringSeconds: 15 }, { uri: B, ringSeconds: 20 }] });
      runner.start();
      expect(placer.calls.map((c) => c.target)).toEqual([A]);
      vi.advanceTimersByTime(14_999);
      expect(placer.calls).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(placer.last(A).cancelled).toBe(true);
      expect(placer.calls.map((c) => c.target)).toEqual([A, B]);
      placer.last(B).emit('answered');
      expect(runner.connectedTarget).toBe(B);
    });

    it('moves on at once when a target is busy', () => {
      const { placer, runner } = setup({ mode: 'sequential' });
      runner.start();
      placer.last(A).emit('failed', 486);
      expect(placer.calls.map((c) => c.target)).toEqual([A, B]);
      expect(runner.state).toBe('ringing');
    });

    it('repeats cycles while targets ring out, then ends as no-answer', () => {
      const { placer, runner, states } = setup({ mode: 'sequential', repeat: 2, targets: [{ uri: A, ringSeconds: 10 }, { uri: B, ringSeconds: 10 }] });
      runner.start();
      vi.advanceTimersByTime(39_999);
      expect(placer.calls.map((c) => c.target)).toEqual([A, B, A, B]);
      expect(runner.state).toBe('ringing');
      vi.advanceTimersByTime(1);
      expect(states.at(-1)).toEqual({ state: 'ended', reason: 'no-answer' });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('does not ring a target again in later cycles after it declined everywhere (600/603)', () => {
      const { placer, runner, attempts } = setup({ mode: 'sequential', repeat: 2, targets: [{ uri: A, ringSeconds: 10 }, { uri: B, ringSeconds: 10 }] });
      runner.start();
      placer.last(A).emit('failed', 603);
      vi.advanceTimersByTime(10_000); // B rings out; cycle 2 starts with B only
      expect(attempts.filter((a) => a.startsWith('2:'))).toEqual([`2:${B}:placed`]);
      expect(runner.state).toBe('ringing');
    });

    it('ends the plan when every target of a cycle failed, without repeating', () => {
      const { placer, runner, states } = setup({ mode: 'sequential', repeat: 3 });
      runner.start();
      placer.last(A).emit('failed', 486);
      placer.last(B).emit('failed', 486);
      expect(placer.calls).toHaveLength(2);
      expect(states.at(-1)).toEqual({ state: 'ended', reason: 'busy' });
    });
  });

  it('bounds all ringing by the overall ring timeout', () => {
    const { placer, runner, states } = setup({ mode: 'sequential', repeat: 5, ringTimeoutSeconds: 25, targets: [{ uri: A, ringSeconds: 10 }, { uri: B, ringSeconds: 10 }] });
    runner.start();
    vi.advanceTimersByTime(25_000);
    expect(placer.calls.map((c) => c.target)).toEqual([A, B, A]);
    expect(placer.calls[2]!.cancelled).toBe(true);
    expect(states.at(-1)).toEqual({ state: 'ended', reason: 'no-answer' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels on a second press only when configured', () => {
    const off = setup();
    expect(off.runner.press()).toBe('started');
    expect(off.runner.press()).toBe('ignored');
    expect(off.runner.state).toBe('ringing');

    const on = setup({ pressAgainCancels: true });
    on.runner.press();
    expect(on.runner.press()).toBe('cancelled');
    expect(on.states.at(-1)).toEqual({ state: 'ended', reason: 'cancelled' });
    expect(on.placer.calls.every((c) => c.cancelled)).toBe(true);
    on.placer.last(A).emit('answered'); // too late: the run is over
    expect(on.runner.state).toBe('ended');
    expect(on.runner.press()).toBe('started');
    expect(on.placer.calls).toHaveLength(4);
  });

  it('ignores a press while connected', () => {
    const { placer, runner } = setup({ pressAgainCancels: true });
    runner.press();
    placer.last(A).emit('answered');
    expect(runner.press()).toBe('ignored');
    expect(runner.state).toBe('connected');
  });

  it('hangs up a 200 that crossed the CANCEL (RFC 3261 §9.1)', () => {
    const { placer, runner } = setup();
    runner.start();
    placer.last(A).emit('answered');
    const loser = placer.last(B);
    expect(loser.cancelled).toBe(true);
    loser.emit('answered');
    expect(loser.hungUp).toBe(true);
    expect(runner.connectedTarget).toBe(A);
  });

  it('warns before the call time limit and hangs up at it', () => {
    const { placer, runner, states, warnings } = setup({ callLimitSeconds: 60, callLimitWarningSeconds: 10 });
    runner.start();
    vi.advanceTimersByTime(5_000);
    placer.last(A).emit('answered');
    vi.advanceTimersByTime(49_999);
    expect(warnings).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(warnings).toEqual([10]);
    vi.advanceTimersByTime(9_999);
    expect(runner.state).toBe('connected');
    vi.advanceTimersByTime(1);
    expect(placer.last(A).hungUp).toBe(true);
    expect(states.at(-1)).toEqual({ state: 'ended', reason: 'call-limit', target: A });
  });

  it('does not end a connected call by the ring timeout', () => {
    const { placer, runner } = setup({ ringTimeoutSeconds: 30 });
    runner.start();
    placer.last(A).emit('answered');
    vi.advanceTimersByTime(120_000);
    expect(runner.state).toBe('connected');
  });

  it('hangs up a set time after the door opened', () => {
    const { placer, runner, states } = setup({ hangUpAfterDoorOpenSeconds: 5 });
    expect(runner.doorOpened()).toBe(false); // no call
    runner.start();
    placer.last(A).emit('answered');
    expect(runner.doorOpened()).toBe(true);
    expect(runner.doorOpened()).toBe(false); // the first opening set the time
    vi.advanceTimersByTime(4_999);
    expect(runner.state).toBe('connected');
    vi.advanceTimersByTime(1);
    expect(states.at(-1)).toEqual({ state: 'ended', reason: 'door-opened', target: A });
    expect(placer.last(A).hungUp).toBe(true);
  });

  it('keeps the call after the door opened when configured with 0', () => {
    const { placer, runner } = setup({ hangUpAfterDoorOpenSeconds: 0 });
    runner.start();
    placer.last(A).emit('answered');
    expect(runner.doorOpened()).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(runner.state).toBe('connected');
  });

  it('hangs up locally and refuses an illegal transition', () => {
    const { placer, runner, states } = setup();
    runner.start();
    expect(() => runner.start()).toThrow(CallPlanError);
    placer.last(A).emit('answered');
    expect(runner.hangUp()).toBe(true);
    expect(placer.last(A).hungUp).toBe(true);
    expect(states.at(-1)).toEqual({ state: 'ended', reason: 'local-hangup', target: A });
    expect(runner.hangUp()).toBe(false);
  });

  it('close() ends the run once and refuses new runs', () => {
    const { placer, runner, states } = setup();
    runner.start();
    runner.close();
    runner.close();
    expect(states.filter((s) => s.state === 'ended')).toEqual([{ state: 'ended', reason: 'closed' }]);
    expect(placer.calls.every((c) => c.cancelled)).toBe(true);
    expect(runner.press()).toBe('ignored');
    expect(() => runner.start()).toThrow(expect.objectContaining({ code: 'PORTIER_ERR_CALL_PLAN_CLOSED' }));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a plan without targets', () => {
    expect(() => new CallPlanRunner({ plan: plan({ targets: [] }), placer: new FakeCallPlacer() })).toThrow(
      expect.objectContaining({ code: 'PORTIER_ERR_CALL_PLAN_EMPTY' }),
    );
  });
});
