import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StreamFramer, type FramedItem } from '../../../src/sip/transport/stream-framer.js';

function message(body = '', extra = ''): Buffer {
  const b = Buffer.from(body, 'utf8');
  return Buffer.concat([
    Buffer.from(
      'OPTIONS sip:door@example.com SIP/2.0\r\n' +
        'Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKabc\r\n' +
        'Call-ID: x1\r\n' +
        extra +
        `Content-Length: ${b.length}\r\n\r\n`,
    ),
    b,
  ]);
}

const RESPONSE = Buffer.from(
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKabc\r\nl: 3\r\n\r\nabc',
);

function describeItems(items: FramedItem[]): string[] {
  return items.map((i) => {
    if (i.kind === 'message') return `message:${i.data.toString('latin1')}`;
    if (i.kind === 'error') return `error:${i.error.code}`;
    return i.kind;
  });
}

function feed(framer: StreamFramer, chunks: Buffer[]): FramedItem[] {
  return chunks.flatMap((c) => framer.push(c));
}

describe('StreamFramer', () => {
  it('returns a message delivered whole', () => {
    const m = message('hello body');
    const items = new StreamFramer().push(m);
    expect(describeItems(items)).toEqual([`message:${m.toString('latin1')}`]);
  });

  it('reassembles a message split at every byte position, including inside CRLFCRLF', () => {
    const m = message('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
    const headerEnd = m.indexOf('\r\n\r\n');
    expect(headerEnd).toBeGreaterThan(0);
    for (let cut = 1; cut < m.length; cut++) {
      const framer = new StreamFramer();
      const first = framer.push(m.subarray(0, cut));
      expect(first).toEqual([]);
      const second = framer.push(m.subarray(cut));
      expect(describeItems(second)).toEqual([`message:${m.toString('latin1')}`]);
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  it('reassembles a message fed one byte at a time', () => {
    const m = message('x'.repeat(300));
    const framer = new StreamFramer();
    const items: FramedItem[] = [];
    for (let i = 0; i < m.length; i++) items.push(...framer.push(m.subarray(i, i + 1)));
    expect(describeItems(items)).toEqual([`message:${m.toString('latin1')}`]);
  });

  it('returns several messages from one chunk, with leading CRLFs and keep-alives between them', () => {
    const a = message('one');
    const b = message('', 'X-Two: 2\r\n');
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), a, RESPONSE, Buffer.from('\r\n'), b]);
    const items = new StreamFramer().push(stream);
    expect(describeItems(items)).toEqual([
      'ping',
      `message:${a.toString('latin1')}`,
      `message:${RESPONSE.toString('latin1')}`,
      'pong',
      `message:${b.toString('latin1')}`,
    ]);
  });

  it('keeps a message with a body longer than the header split correctly across arbitrary chunkings', () => {
    const msgs = [message('a'.repeat(50)), RESPONSE, message('')];
    const stream = Buffer.concat(msgs);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const sorted = [...cuts].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const c of sorted) {
          chunks.push(stream.subarray(prev, c));
          prev = c;
        }
        chunks.push(stream.subarray(prev));
        const items = feed(new StreamFramer(), chunks);
        expect(describeItems(items)).toEqual(msgs.map((m) => `message:${m.toString('latin1')}`));
      }),
      { numRuns: 200 },
    );
  });

  it('recognises a ping (CRLFCRLF) and a pong (lone CRLF)', () => {
    const framer = new StreamFramer();
    expect(describeItems(framer.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(describeItems(framer.push(Buffer.from('\r\n')))).toEqual(['pong']);
    expect(describeItems(framer.push(Buffer.from('\r\n\r\n\r\n\r\n')))).toEqual(['ping', 'ping']);
    expect(describeItems(framer.push(Buffer.from('\r')))).toEqual([]);
    expect(describeItems(framer.push(Buffer.from('\n\r')))).toEqual([]);
    expect(describeItems(framer.push(Buffer.from('\n')))).toEqual(['ping']);
  });

  it('rejects a message without Content-Length and stays poisoned', () => {
    const framer = new StreamFramer();
    const bad = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n');
    const items = framer.push(bad);
    expect(describeItems(items)).toEqual(['error:SIP_ERR_FRAMING']);
    expect(framer.error?.message).toMatch(/Content-Length/);
    expect(framer.push(message('ok'))).toEqual([]);
  });

  it('delivers the messages that preceded an error in the same chunk', () => {
    const m = message('ok');
    const items = new StreamFramer().push(Buffer.concat([m, Buffer.from('GET / HTTP/1.1\r\n\r\n')]));
    expect(describeItems(items)).toEqual([`message:${m.toString('latin1')}`, 'error:SIP_ERR_FRAMING']);
  });

  it('rejects garbage start lines and stray bytes between messages', () => {
    expect(describeItems(new StreamFramer().push(Buffer.from('hello world\r\n')))).toEqual(['error:SIP_ERR_FRAMING']);
    expect(describeItems(new StreamFramer().push(Buffer.from('\r\rX')))).toEqual(['error:SIP_ERR_FRAMING']);
    expect(describeItems(new StreamFramer().push(Buffer.from('\nINVITE')))).toEqual(['error:SIP_ERR_FRAMING']);
    expect(describeItems(new StreamFramer({ maxStartLineBytes: 100 }).push(Buffer.alloc(200, 0x41)))).toEqual([
      'error:SIP_ERR_FRAMING',
    ]);
  });

  it('rejects an invalid or conflicting Content-Length', () => {
    const bad1 = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n');
    const bad2 = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 1\r\nl: 2\r\n\r\nab');
    expect(describeItems(new StreamFramer().push(bad1))).toEqual(['error:SIP_ERR_FRAMING']);
    expect(describeItems(new StreamFramer().push(bad2))).toEqual(['error:SIP_ERR_FRAMING']);
  });

  it('rejects a declared body over the cap before it arrives', () => {
    const framer = new StreamFramer({ maxMessageBytes: 1000 });
    const items = framer.push(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 5000\r\n\r\n'));
    expect(describeItems(items)).toEqual(['error:SIP_ERR_MESSAGE_TOO_LARGE']);
  });

  it('rejects a header section that never ends within the cap (default 64 KiB)', () => {
    const framer = new StreamFramer();
    const head = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n');
    const filler = Buffer.from(`X-Filler: ${'y'.repeat(1000)}\r\n`);
    let items: FramedItem[] = framer.push(head);
    let sent = head.length;
    while (items.length === 0 && sent < 70_000) {
      items = framer.push(filler);
      sent += filler.length;
    }
    expect(describeItems(items)).toEqual(['error:SIP_ERR_MESSAGE_TOO_LARGE']);
    expect(sent).toBeGreaterThan(65536);
    expect(sent).toBeLessThan(65536 + 2 * filler.length);
  });

  it('accepts a message exactly at the cap', () => {
    const m = message('z'.repeat(500));
    const items = new StreamFramer({ maxMessageBytes: m.length }).push(m);
    expect(describeItems(items)).toEqual([`message:${m.toString('latin1')}`]);
    const over = new StreamFramer({ maxMessageBytes: m.length - 1 }).push(m);
    expect(describeItems(over)).toEqual(['error:SIP_ERR_MESSAGE_TOO_LARGE']);
  });

  it('returns copies that later input does not overwrite', () => {
    const framer = new StreamFramer();
    const a = message('first');
    const [item] = framer.push(a);
    framer.push(message('second-second-second'));
    expect(item?.kind === 'message' && item.data.equals(a)).toBe(true);
  });

  it('stays linear on a large stream fed in small pieces', () => {
    const m = message('b'.repeat(2000));
    const stream = Buffer.concat(Array.from({ length: 200 }, () => m));
    const framer = new StreamFramer();
    let count = 0;
    const t0 = performance.now();
    for (let i = 0; i < stream.length; i += 7) {
      count += framer.push(stream.subarray(i, i + 7)).length;
    }
    expect(count).toBe(200);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('StreamFramer message buffers', () => {
  it('hands each message over in a buffer of its own and of exact size, since a parsed message keeps its source alive', () => {
    const framer = new StreamFramer();
    const two = Buffer.concat([message('hello'), RESPONSE]);
    const items = framer.push(two);
    expect(items.map((i) => i.kind)).toEqual(['message', 'message']);
    for (const item of items) {
      const data = (item as { data: Buffer }).data;
      expect(data.byteOffset).toBe(0);
      expect(data.buffer.byteLength).toBe(data.length);
    }
  });
});
