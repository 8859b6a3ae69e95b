import { describe, expect, it } from 'vitest';
import { Dialog } from '../../../src/sip/dialogs/dialog.js';
import { dialogKey, incomingRequestDialogKey, responseDialogKey } from '../../../src/sip/dialogs/dialog-key.js';
import { DialogState } from '../../../src/sip/dialogs/dialog-state.js';
import { DialogStateError } from '../../../src/sip/dialogs/dialog-errors.js';
import { parseMessage, SipRequest, SipResponse } from '../../../src/sip/messages/index.js';

function parse<T>(text: string): T {
  return parseMessage(Buffer.from(text.replace(/\n/g, '\r\n'))) as T;
}

const INVITE = `INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKaaa
Max-Forwards: 70
From: "Door" <sip:door@example.com>;tag=ftag
To: <sip:bob@example.com>
Call-ID: call-1@10.0.0.1
CSeq: 7 INVITE
Contact: <sip:door@10.0.0.1:5060>
Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>
Content-Length: 0

`;

const OK = `SIP/2.0 200 OK
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKaaa
From: "Door" <sip:door@example.com>;tag=ftag
To: <sip:bob@example.com>;tag=ttag
Call-ID: call-1@10.0.0.1
CSeq: 7 INVITE
Contact: <sip:bob@10.0.0.2:5062;transport=tcp>
Record-Route: <sip:p2.example.com;lr>
Record-Route: <sip:p1.example.com;lr;ftag=ftag>
Content-Length: 0

`;

describe('Dialog (RFC 3261 §12)', () => {
  it('builds the UAC dialog from a 2xx: reversed Record-Route, Contact as remote target, empty remote CSeq (§12.1.2)', () => {
    const invite = parse<SipRequest>(INVITE);
    const ok = parse<SipResponse>(OK);
    const d = Dialog.fromUac(invite, ok);
    expect(d.state).toBe(DialogState.Confirmed);
    expect(d.callId).toBe('call-1@10.0.0.1');
    expect(d.localTag).toBe('ftag');
    expect(d.remoteTag).toBe('ttag');
    expect(d.localSeq).toBe(7);
    expect(d.remoteSeq).toBeUndefined();
    expect(d.remoteTarget.toString()).toBe('sip:bob@10.0.0.2:5062;transport=tcp');
    expect(d.routeSet.map((r) => r.uri.toString())).toEqual(['sip:p1.example.com;lr;ftag=ftag', 'sip:p2.example.com;lr']);
    expect(d.id).toBe(responseDialogKey(ok));
    expect(d.secure).toBe(false);
  });

  it('builds the UAS dialog from the request: Record-Route in order, remote CSeq set (§12.1.1)', () => {
    const invite = parse<SipRequest>(INVITE);
    const d = Dialog.fromUas(invite, 'mytag', DialogState.Early);
    expect(d.state).toBe(DialogState.Early);
    expect(d.localTag).toBe('mytag');
    expect(d.remoteTag).toBe('ftag');
    expect(d.remoteSeq).toBe(7);
    expect(d.remoteTarget.toString()).toBe('sip:door@10.0.0.1:5060');
    expect(d.routeSet.map((r) => r.uri.toString())).toEqual(['sip:p2.example.com;lr', 'sip:p1.example.com;lr']);
    expect(d.localUri.tag).toBeUndefined();
    expect(d.remoteUri.displayName).toBe('Door');
  });

  it('builds in-dialog requests per §12.2.1.1 (Request-URI = remote target, Route = route set, CSeq + 1)', () => {
    const d = Dialog.fromUac(parse<SipRequest>(INVITE), parse<SipResponse>(OK));
    const bye = d.createRequest('BYE');
    expect(bye.method).toBe('BYE');
    expect(bye.uri.toString()).toBe('sip:bob@10.0.0.2:5062;transport=tcp');
    expect(bye.getHeaders('Route')).toEqual(['<sip:p1.example.com;lr;ftag=ftag>', '<sip:p2.example.com;lr>']);
    expect(bye.cseq).toEqual({ seq: 8, method: 'BYE' });
    expect(bye.from.tag).toBe('ftag');
    expect(bye.to.tag).toBe('ttag');
    expect(bye.callId).toBe('call-1@10.0.0.1');
    expect(bye.maxForwards).toBe(70);
    const info = d.createRequest('INFO', { headers: [['Content-Type', 'application/dtmf-relay']], body: 'Signal=5\r\n' });
    expect(info.cseq.seq).toBe(9);
    expect(info.body.toString()).toBe('Signal=5\r\n');
    // The ACK reuses the INVITE's number and does not consume one.
    const ack = d.createRequest('ACK', { cseq: 7 });
    expect(ack.cseq).toEqual({ seq: 7, method: 'ACK' });
    expect(d.createRequest('BYE').cseq.seq).toBe(10);
  });

  it('omits Route when the route set is empty', () => {
    const ok = parse<SipResponse>(OK.replace(/Record-Route:.*\n/g, ''));
    const d = Dialog.fromUac(parse<SipRequest>(INVITE), ok);
    expect(d.createRequest('BYE').hasHeader('Route')).toBe(false);
  });

  it('rejects a lower CSeq with 500 and accepts higher ones (§12.2.2); ACK and CANCEL are not checked', () => {
    const d = Dialog.fromUas(parse<SipRequest>(INVITE), 'mytag', DialogState.Confirmed);
    const req = (seq: number, method: string) =>
      SipRequest.create({
        method,
        uri: 'sip:door@10.0.0.1',
        headers: [
          ['Via', 'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKx'],
          ['From', '<sip:bob@example.com>;tag=ftag'],
          ['To', '<sip:door@example.com>;tag=mytag'],
          ['Call-ID', 'call-1@10.0.0.1'],
          ['CSeq', `${seq} ${method}`],
        ],
      });
    expect(d.receiveRequest(req(8, 'INFO'))).toEqual({ accept: true });
    expect(d.remoteSeq).toBe(8);
    expect(d.receiveRequest(req(5, 'BYE'))).toEqual({ accept: false, status: 500, reason: 'CSeq Out of Order' });
    expect(d.remoteSeq).toBe(8);
    expect(d.receiveRequest(req(7, 'ACK'))).toEqual({ accept: true });
    expect(d.receiveRequest(req(9, 'BYE'))).toEqual({ accept: true });
    expect(incomingRequestDialogKey(req(9, 'BYE'))).toBe(d.id);
  });

  it('sets the remote CSeq from the first request when it was empty (UAC side)', () => {
    const d = Dialog.fromUac(parse<SipRequest>(INVITE), parse<SipResponse>(OK));
    const bye = SipRequest.create({
      method: 'BYE',
      uri: 'sip:door@10.0.0.1',
      headers: [
        ['Via', 'SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKy'],
        ['From', '<sip:bob@example.com>;tag=ttag'],
        ['To', '<sip:door@example.com>;tag=ftag'],
        ['Call-ID', 'call-1@10.0.0.1'],
        ['CSeq', '1 BYE'],
      ],
    });
    expect(d.receiveRequest(bye)).toEqual({ accept: true });
    expect(d.remoteSeq).toBe(1);
  });

  it('refreshes the remote target from a Contact; recomputes the route set when an early dialog is confirmed', () => {
    const invite = parse<SipRequest>(INVITE);
    const ringing = parse<SipResponse>(OK.replace('200 OK', '180 Ringing').replace(/Record-Route:.*\n/g, '').replace(/Contact:.*\n/, ''));
    const d = Dialog.fromUac(invite, ringing);
    expect(d.state).toBe(DialogState.Early);
    expect(d.remoteTarget.toString()).toBe('sip:bob@example.com');
    expect(d.routeSet).toEqual([]);
    d.updateFromUacResponse(parse<SipResponse>(OK));
    d.confirm();
    expect(d.state).toBe(DialogState.Confirmed);
    expect(d.routeSet).toHaveLength(2);
    expect(d.remoteTarget.toString()).toBe('sip:bob@10.0.0.2:5062;transport=tcp');
    // A confirmed dialog's route set never changes again.
    d.updateFromUacResponse(parse<SipResponse>(OK.replace(/Record-Route:.*\n/g, '').replace('10.0.0.2:5062', '10.0.0.9:5070')));
    expect(d.routeSet).toHaveLength(2);
    expect(d.remoteTarget.toString()).toContain('10.0.0.9:5070');
  });

  it('guards its transitions', () => {
    const d = Dialog.fromUac(parse<SipRequest>(INVITE), parse<SipResponse>(OK));
    d.terminate();
    d.terminate();
    expect(d.state).toBe(DialogState.Terminated);
    expect(() => d.confirm()).toThrow(DialogStateError);
  });

  it('refuses to build a dialog without tags or a 2xx without Contact', () => {
    const invite = parse<SipRequest>(INVITE);
    expect(() => Dialog.fromUac(invite, parse<SipResponse>(OK.replace(';tag=ttag', '')))).toThrow(/To tag/);
    expect(() => Dialog.fromUac(invite, parse<SipResponse>(OK.replace(/Contact:.*\n/, '')))).toThrow(/Contact/);
    expect(() => Dialog.fromUas(parse<SipRequest>(INVITE.replace(';tag=ftag', '')), 't', DialogState.Early)).toThrow(/From tag/);
  });

  it('keys dialogs by Call-ID and both tags, in local/remote order', () => {
    expect(dialogKey('c', 'a', 'b')).not.toBe(dialogKey('c', 'b', 'a'));
    expect(responseDialogKey(parse<SipResponse>(OK))).toBe(dialogKey('call-1@10.0.0.1', 'ftag', 'ttag'));
    expect(incomingRequestDialogKey(parse<SipRequest>(INVITE))).toBeUndefined();
  });
});
