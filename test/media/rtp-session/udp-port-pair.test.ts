import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { bindUdpPortPair, literalFirstLookup } from '../../../src/media/rtp-session/udp-port-pair.js';

describe('literalFirstLookup', () => {
  it('answers an IP literal before returning, with its family', () => {
    const answers: Array<[string, number]> = [];
    literalFirstLookup('127.0.0.1', 4, (error, address, family) => {
      expect(error).toBeNull();
      answers.push([address, family]);
    });
    literalFirstLookup('::1', { family: 6 }, (_e, address, family) => answers.push([address, family]));
    expect(answers).toEqual([
      ['127.0.0.1', 4],
      ['::1', 6],
    ]);
  });

  it('leaves a host name to dns.lookup (answered later)', async () => {
    let sync = true;
    const answer = new Promise<[NodeJS.ErrnoException | null, string, number]>((resolve) =>
      literalFirstLookup('localhost', 4, (error, address, family) => resolve([error, address, family])),
    );
    sync = false;
    const [error, address, family] = await answer;
    expect(sync).toBe(false);
    expect(error).toBeNull();
    expect(address).toBe('127.0.0.1');
    expect(family).toBe(4);
  });
});

describe('bindUdpPortPair', () => {
  it('binds an even RTP port with RTCP on the next and sends to a literal address', async () => {
    const pair = await bindUdpPortPair('127.0.0.1', { min: 26000, max: 26899 });
    const peer = createSocket('udp4');
    try {
      expect(pair.rtpPort % 2).toBe(0);
      expect(pair.rtcp.address().port).toBe(pair.rtpPort + 1);
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const got = new Promise<[Buffer, number]>((resolve) => peer.once('message', (msg, rinfo) => resolve([msg, rinfo.port])));
      pair.rtp.send(Buffer.from('rtp'), peer.address().port, '127.0.0.1');
      const [msg, fromPort] = await got;
      expect(msg.toString()).toBe('rtp');
      expect(fromPort).toBe(pair.rtpPort);
    } finally {
      peer.close();
      pair.rtp.close();
      pair.rtcp.close();
    }
  });
});
