import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCallId, generateTag, SipRequest, type SipResponse } from '../../../src/sip/messages/index.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import type { SendTarget } from '../../../src/sip/transport/transport-types.js';
import { ACCEPTED_BODIES, ALLOWED_METHODS, SUPPORTED_EXTENSIONS } from '../../../src/sip/user-agent/capabilities.js';
import { PRODUCT_TOKEN } from '../../../src/version.js';
import { rawRequest, UdpPeer } from '../transport/raw-peer.js';

/** A request from the client stack to the server stack; no Via (the sender adds one per attempt). */
function request(method: string, uri: string, extra: Array<[string, string]> = []): SipRequest {
  return SipRequest.create({
    method,
    uri,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:client@127.0.0.1>;tag=${generateTag()}`],
      ['To', `<${uri}>`],
      ['Call-ID', generateCallId()],
      ['CSeq', `1 ${method}`],
      ...extra,
    ],
  });
}

describe('UserAgentCore answers requests that need no dialog (two stacks on loopback)', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    describe(`over ${protocol}`, () => {
      let client: SipStack;
      let server: SipStack;
      let target: SendTarget;
      let serverUri: string;

      beforeAll(async () => {
        client = await SipStack.start({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
        server = await SipStack.start({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
        const port = server.transport.listeningPoints[0]!.port;
        target = { protocol, address: '127.0.0.1', port };
        serverUri = `sip:127.0.0.1:${port}${protocol === 'tcp' ? ';transport=tcp' : ''}`;
      });
      afterAll(async () => {
        await client?.close();
        await server?.close();
      });

      async function send(req: SipRequest): Promise<SipResponse> {
        return (await client.core.send(req, { target })).response;
      }

      it('answers OPTIONS with 200, Allow, Accept, Supported, Server and a To tag', async () => {
        const res = await send(request('OPTIONS', serverUri));
        expect(res.status).toBe(200);
        expect(res.allow).toEqual(ALLOWED_METHODS);
        expect(res.getHeaderValues('Accept')).toEqual(ACCEPTED_BODIES);
        expect(res.supported).toEqual(SUPPORTED_EXTENSIONS);
        expect(res.server).toBe(PRODUCT_TOKEN);
        expect(res.server).toMatch(/^Portier\/\d+\.\d+\.\d+$/);
        expect(res.to.tag).toMatch(/.+/);
        expect(res.callId).toBeDefined();
      });

      it('answers also when resolving the target from the Request-URI (RFC 3263 with a numeric host)', async () => {
        const outcome = await client.core.send(request('OPTIONS', serverUri));
        expect(outcome.response.status).toBe(200);
        expect(outcome.target).toEqual(target);
      });

      it('answers a known method without a handler with 405 and Allow', async () => {
        const res = await send(request('MESSAGE', serverUri));
        expect(res.status).toBe(405);
        expect(res.allow).toEqual(ALLOWED_METHODS);
        expect(res.server).toBe(PRODUCT_TOKEN);
      });

      it('answers an unknown method with 501 and Allow', async () => {
        const res = await send(request('FROBNICATE', serverUri));
        expect(res.status).toBe(501);
        expect(res.reason).toBe('Not Implemented');
        expect(res.allow).toEqual(ALLOWED_METHODS);
      });

      it('answers Require with an unsupported option tag with 420 and Unsupported listing only the unknown ones', async () => {
        const res = await send(request('OPTIONS', serverUri, [['Require', 'timer, foo, Bar']]));
        expect(res.status).toBe(420);
        expect(res.getHeaderValues('Unsupported')).toEqual(['foo', 'bar']);
      });

      it('answers an INVITE with Require: foo with 420 (and the INVITE client transaction ACKs it)', async () => {
        const acksToCore: SipRequest[] = [];
        server.core.on('ack', (ack) => acksToCore.push(ack));
        const res = await send(request('INVITE', serverUri, [['Require', 'foo'], ['Contact', '<sip:client@127.0.0.1>']]));
        expect(res.status).toBe(420);
        expect(res.getHeader('Unsupported')).toBe('foo');
        await new Promise((r) => setTimeout(r, 100));
        // §17.1.1.3: the ACK for the 420 belongs to the INVITE server transaction, not to the core.
        expect(acksToCore).toEqual([]);
      });

      it('answers a Request-URI with an unsupported scheme with 416', async () => {
        const res = await send(request('OPTIONS', 'mailto:door@example.com'));
        expect(res.status).toBe(416);
      });

      it('accepts a tel: Request-URI (a scheme it supports)', async () => {
        const res = await send(request('OPTIONS', 'tel:+15551234'));
        expect(res.status).toBe(200);
      });

      it('lets a handler replace the default OPTIONS answer and turns a throwing handler into 500', async () => {
        server.core.handle('OPTIONS', (req, tx) => tx.respond(server.core.response(req, 486)));
        server.core.handle('INFO', () => {
          throw new Error('handler bug');
        });
        try {
          expect((await send(request('OPTIONS', serverUri))).status).toBe(486);
          expect((await send(request('INFO', serverUri))).status).toBe(500);
        } finally {
          server.core.handle('OPTIONS', (req, tx) => tx.respond(server.core.optionsResponse(req)));
        }
        expect((await send(request('OPTIONS', serverUri))).status).toBe(200);
      });

      it('answers a CANCEL that matches nothing with 481', async () => {
        const res = await send(request('CANCEL', serverUri));
        expect(res.status).toBe(481);
      });
    });
  }
});

describe('UserAgentCore detects merged requests (RFC 3261 §8.2.2.2)', () => {
  let server: SipStack;
  let peer: UdpPeer;
  let port: number;
  const invites: SipRequest[] = [];

  beforeAll(async () => {
    server = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    port = server.transport.listeningPoints[0]!.port;
    // An INVITE the TU keeps pending (a ringing door station): its transaction stays in Proceeding.
    server.core.handle('INVITE', (req) => invites.push(req));
    peer = await UdpPeer.open('127.0.0.1');
  });
  afterAll(async () => {
    await server?.close();
    await peer?.close();
  });

  /** One copy of a request as it arrives through one of two forking paths: same From tag, Call-ID and CSeq, its own branch. */
  function copy(method: string, branch: string, callId: string, extra = ''): string {
    return rawRequest({ method, callId, extra, via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch};rport` });
  }

  /** The next response to the peer whose CSeq and branch match. */
  async function responseFor(branch: string): Promise<string> {
    for (;;) {
      const text = (await peer.next(2000)).toString('latin1');
      if (text.includes(`branch=${branch}`)) return text;
    }
  }

  it('answers the second copy of an OPTIONS with 482 and the first normally', async () => {
    await peer.send(copy('OPTIONS', 'z9hG4bKpath1', 'merged-options'), port, '127.0.0.1');
    expect(await responseFor('z9hG4bKpath1')).toMatch(/^SIP\/2\.0 200 /);
    await peer.send(copy('OPTIONS', 'z9hG4bKpath2', 'merged-options'), port, '127.0.0.1');
    expect(await responseFor('z9hG4bKpath2')).toMatch(/^SIP\/2\.0 482 Loop Detected/);
  });

  it('answers the second copy of a pending INVITE with 482 and hands only the first to the TU', async () => {
    const before = invites.length;
    await peer.send(copy('INVITE', 'z9hG4bKinv1', 'merged-invite', 'Contact: <sip:tester@127.0.0.1>\r\n'), port, '127.0.0.1');
    expect(await responseFor('z9hG4bKinv1')).toMatch(/^SIP\/2\.0 100 /);
    await peer.send(copy('INVITE', 'z9hG4bKinv2', 'merged-invite', 'Contact: <sip:tester@127.0.0.1>\r\n'), port, '127.0.0.1');
    const second = await responseFor('z9hG4bKinv2');
    expect(second).toMatch(/^SIP\/2\.0 482 /);
    expect(invites.length - before).toBe(1);
    // The ACK for the 482 belongs to its INVITE server transaction.
    await peer.send(ackFor(second), port, '127.0.0.1');
  });

  it('does not take a different CSeq, Call-ID or a request with a To tag for a merged one', async () => {
    await peer.send(copy('OPTIONS', 'z9hG4bKother1', 'not-merged-1'), port, '127.0.0.1');
    expect(await responseFor('z9hG4bKother1')).toMatch(/^SIP\/2\.0 200 /);
    await peer.send(copy('OPTIONS', 'z9hG4bKother2', 'not-merged-2'), port, '127.0.0.1');
    expect(await responseFor('z9hG4bKother2')).toMatch(/^SIP\/2\.0 200 /);
    const nextCseq = copy('OPTIONS', 'z9hG4bKother3', 'not-merged-1').replace('CSeq: 1 OPTIONS', 'CSeq: 2 OPTIONS');
    await peer.send(nextCseq, port, '127.0.0.1');
    expect(await responseFor('z9hG4bKother3')).toMatch(/^SIP\/2\.0 200 /);
  });
});

/** A raw ACK for a non-2xx response to a raw INVITE (same branch, the response's To tag). */
function ackFor(responseText: string): string {
  const lines = responseText.split('\r\n');
  const pick = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))!;
  return [
    'ACK sip:door@example.invalid SIP/2.0',
    pick('Via').replace(/;received=[^;]*/, '').replace(/;rport=\d+/, ';rport'),
    'Max-Forwards: 70',
    pick('From'),
    pick('To'),
    pick('Call-ID'),
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
