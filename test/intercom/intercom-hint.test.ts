import { describe, expect, it } from 'vitest';
import { findIntercomHint, MAX_HINT_DELAY_SECONDS } from '../../src/intercom/intercom-hint.js';

const h = (name: string, value: string) => ({ name, value });

describe('findIntercomHint', () => {
  it('reads Call-Info answer-after', () => {
    expect(findIntercomHint([h('Call-Info', '<sip:pbx.example.org>;answer-after=3')])).toEqual({ source: 'call-info', delaySeconds: 3 });
    expect(findIntercomHint([h('call-info', '<http://x/icon.png>;purpose=icon, <sip:pbx>;Answer-After=0')])).toEqual({ source: 'call-info', delaySeconds: 0 });
  });

  it('ignores Call-Info without answer-after and commas inside the URI', () => {
    expect(findIntercomHint([h('Call-Info', '<http://x/a,answer-after=1>;purpose=info')])).toBeUndefined();
  });

  it('reads Alert-Info alert-autoanswer (with delay) and answer-after', () => {
    expect(findIntercomHint([h('Alert-Info', '<http://www.notused.com>;info=alert-autoanswer;delay=2')])).toEqual({ source: 'alert-info', delaySeconds: 2 });
    expect(findIntercomHint([h('Alert-Info', 'info=alert-autoanswer')])).toEqual({ source: 'alert-info', delaySeconds: 0 });
    expect(findIntercomHint([h('Alert-Info', '<http://x>;answer-after=5')])).toEqual({ source: 'alert-info', delaySeconds: 5 });
    expect(findIntercomHint([h('Alert-Info', '<http://x/Bellcore-dr2>')])).toBeUndefined();
  });

  it('reads Answer-Mode Auto (RFC 5373) but not Manual', () => {
    expect(findIntercomHint([h('Answer-Mode', 'Auto;require')])).toEqual({ source: 'answer-mode', delaySeconds: 0 });
    expect(findIntercomHint([h('Priv-Answer-Mode', 'auto')])).toEqual({ source: 'answer-mode', delaySeconds: 0 });
    expect(findIntercomHint([h('Answer-Mode', 'Manual')])).toBeUndefined();
  });

  it('takes the shortest delay and clamps large ones', () => {
    expect(findIntercomHint([h('Call-Info', '<sip:p>;answer-after=4'), h('Alert-Info', '<http://x>;answer-after=1')])).toEqual({ source: 'alert-info', delaySeconds: 1 });
    expect(findIntercomHint([h('Call-Info', '<sip:p>;answer-after=99999')])?.delaySeconds).toBe(MAX_HINT_DELAY_SECONDS);
    expect(findIntercomHint([h('Call-Info', '<sip:p>;answer-after=soon')])?.delaySeconds).toBe(0);
  });
});
