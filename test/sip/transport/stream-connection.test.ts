import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/logger.js';
import { StreamConnection, type StreamCloseReason } from '../../../src/sip/transport/stream-connection.js';

/** A socket whose peer never reads: writes are accepted into the buffer and never flushed. */
function stalledSocket(): Socket {
  const duplex = new Duplex({
    read() {},
    write(_chunk, _encoding, _callback) {
      // never completes: the kernel buffer is full and the peer does not read
    },
  });
  return Object.assign(duplex, {
    localAddress: '127.0.0.1',
    localPort: 5060,
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    setNoDelay: () => duplex,
    setTimeout: () => duplex,
  }) as unknown as Socket;
}

describe('StreamConnection', () => {
  it('closes a connection whose peer does not read once the unsent output passes 16 largest messages', async () => {
    const conn = new StreamConnection(stalledSocket(), {
      id: 'tcp-1',
      protocol: 'tcp',
      outbound: false,
      idleTimeoutMs: 0,
      maxMessageBytes: 1024,
      logger: silentLogger,
    });
    const closed = new Promise<StreamCloseReason>((resolve) => conn.on('close', resolve));
    const response = Buffer.alloc(700, 0x41);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 100 && conn.isOpen; i++) writes.push(conn.write(response).catch(() => {}));
    expect(conn.isOpen).toBe(false);
    // 16 × 1024 bytes is the cap: the connection closed at the first write beyond it (24 × 700).
    expect(writes.length).toBe(24);
    expect(await closed).toBe('error');
    await expect(conn.write(response)).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CLOSED' });
  });
});
