import { describe, expect, it } from 'vitest';
import { createCancel } from '../../../src/sip/transactions/cancel-request.js';
import { request } from './sip-fixtures.js';

describe('createCancel (§9.1)', () => {
  it('copies Request-URI, Call-ID, From, To, CSeq number, the top Via only and the Route set', () => {
    const routes = ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'];
    const invite = request({
      branch: 'z9hG4bKinv',
      seq: 42,
      routes,
      extraVia: 'SIP/2.0/TCP second.example.com;branch=z9hG4bKlower',
      uri: 'sip:door@192.0.2.1;transport=udp',
    });
    const cancel = createCancel(invite);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.uri.toString()).toBe('sip:door@192.0.2.1;transport=udp');
    expect(cancel.callId).toBe(invite.callId);
    expect(cancel.getHeader('From')).toBe(invite.getHeader('From'));
    expect(cancel.getHeader('To')).toBe(invite.getHeader('To'));
    expect(cancel.cseq).toEqual({ seq: 42, method: 'CANCEL' });
    expect(cancel.vias.map((v) => v.toString())).toEqual([invite.topVia!.toString()]);
    expect(cancel.topVia!.branch).toBe('z9hG4bKinv');
    expect(cancel.getHeaders('Route')).toEqual(routes);
    expect(cancel.maxForwards).toBe(70);
    expect(cancel.hasHeader('Contact')).toBe(false);
    expect(cancel.body.length).toBe(0);
  });

  it('refuses a non-INVITE and an INVITE without a branch', () => {
    expect(() => createCancel(request({ method: 'OPTIONS' }))).toThrow(expect.objectContaining({ code: 'SIP_ERR_CANCEL' }));
    expect(() => createCancel(request({ via: 'SIP/2.0/UDP 192.0.2.1' }))).toThrow(/branch/);
    expect(() => createCancel(request({ via: null }))).toThrow(/branch/);
  });
});
