import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StationStatus } from '../../src/intercom/station-status.js';
import { StatusReporter } from '../../src/service/status-reporter.js';

describe('StatusReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    const status = new StationStatus();
    const sent: string[] = [];
    const reporter = new StatusReporter(status, { status: async (line: string) => void sent.push(line) }, { minIntervalMs: 1000 });
    return { status, sent, reporter };
  }

  it('sends the summary at once, then coalesces a burst into one line per interval', () => {
    const { status, sent, reporter } = setup();
    expect(sent).toEqual(['no accounts registering; idle']);
    status.setRegistration('door', 'registering');
    status.setRegistration('door', 'registered');
    status.setRelay('front', true);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['no accounts registering; idle', 'registered 1/1; idle; relay on: front']);
    reporter.close();
  });

  it('does not repeat an unchanged line', () => {
    const { status, sent, reporter } = setup();
    status.setRelay('front', true);
    status.setRelay('front', false);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(['no accounts registering; idle']);
    reporter.close();
  });

  it('stops on close and leaves no timer behind', () => {
    const { status, sent, reporter } = setup();
    status.setRegistration('door', 'registered');
    reporter.close();
    reporter.close();
    expect(vi.getTimerCount()).toBe(0);
    status.setRelay('front', true);
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(1);
  });
});
