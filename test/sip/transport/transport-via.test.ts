import { describe, expect, it } from 'vitest';
import { parseMessage, Via, type SipRequest } from '../../../src/sip/messages/index.js';
import {
  annotateReceivedVia,
  normalizeAddress,
  responseDestination,
  stampTopVia,
} from '../../../src/sip/transport/transport-via.js';

function request(via: string): SipRequest {
  return parseMessage(
    Buffer.from(
      `OPTIONS sip:door@127.0.0.1 SIP/2.0\r\nVia: ${via}\r\nVia: SIP/2.0/UDP proxy.example:5060;branch=z9hG4bKp\r\n` +
        'From: <sip:a@b>;tag=1\r\nTo: <sip:door@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipRequest;
}

describe('stampTopVia', () => {
  it('writes transport, sent-by and the rport flag, keeping branch and the other Vias', () => {
    const r = request('SIP/2.0/UDP placeholder;branch=z9hG4bKkeep');
    stampTopVia(r, 'tcp', { host: '192.0.2.5', port: 5070 });
    expect(r.topVia?.toString()).toBe('SIP/2.0/TCP 192.0.2.5:5070;branch=z9hG4bKkeep;rport');
    expect(r.vias).toHaveLength(2);
    expect(r.vias[1]?.host).toBe('proxy.example');
  });

  it('brackets IPv6 and leaves an existing rport alone', () => {
    const r = request('SIP/2.0/UDP placeholder;rport=7;branch=z9hG4bKkeep');
    stampTopVia(r, 'tls', { host: '::1', port: 5061 });
    expect(r.topVia?.toString()).toBe('SIP/2.0/TLS [::1]:5061;rport=7;branch=z9hG4bKkeep');
  });
});

describe('annotateReceivedVia', () => {
  it('adds received when sent-by differs from the source (RFC 3261 §18.2.1)', () => {
    const r = request('SIP/2.0/UDP 10.0.0.9:5099;branch=z9hG4bK1');
    annotateReceivedVia(r, { address: '127.0.0.1', port: 40000 });
    expect(r.topVia?.received).toBe('127.0.0.1');
    expect(r.topVia?.rport).toBeUndefined();
  });

  it('adds nothing when sent-by is the source and there is no rport', () => {
    const r = request('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1');
    annotateReceivedVia(r, { address: '127.0.0.1', port: 5099 });
    expect(r.topVia?.toString()).toBe('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1');
  });

  it('fills rport and always received when the rport flag is present (RFC 3581 §4)', () => {
    const r = request('SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK1;rport');
    annotateReceivedVia(r, { address: '127.0.0.1', port: 40001 });
    expect(r.topVia?.rport).toBe(40001);
    expect(r.topVia?.received).toBe('127.0.0.1');
  });

  it('compares IPv6 in canonical form and treats IPv4-mapped sources as IPv4', () => {
    const r = request('SIP/2.0/UDP [0:0:0:0:0:0:0:1]:5099;branch=z9hG4bK1');
    annotateReceivedVia(r, { address: '::1', port: 5099 });
    expect(r.topVia?.received).toBeUndefined();
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('[2001:DB8:0:0::1]')).toBe('2001:db8::1');
  });
});

describe('responseDestination', () => {
  it('UDP with an rport value: received (or source) at the rport', () => {
    const via = Via.parse('SIP/2.0/UDP 10.0.0.9:5099;branch=z9hG4bK1;rport=40001;received=127.0.0.1');
    expect(responseDestination(via, 'udp')).toEqual({ address: '127.0.0.1', port: 40001 });
  });

  it('UDP without rport: received at the sent-by port, default 5060', () => {
    expect(responseDestination(Via.parse('SIP/2.0/UDP 10.0.0.9:5099;received=127.0.0.2'), 'udp')).toEqual({ address: '127.0.0.2', port: 5099 });
    expect(responseDestination(Via.parse('SIP/2.0/UDP 10.0.0.9'), 'udp')).toEqual({ address: '10.0.0.9', port: 5060 });
  });

  it('TLS defaults to 5061 and ignores rport for a new connection; maddr wins', () => {
    expect(responseDestination(Via.parse('SIP/2.0/TLS [::1];rport=9'), 'tls')).toEqual({ address: '::1', port: 5061 });
    expect(responseDestination(Via.parse('SIP/2.0/UDP 10.0.0.9:5070;maddr=239.1.1.1'), 'udp')).toEqual({ address: '239.1.1.1', port: 5070 });
  });
});
