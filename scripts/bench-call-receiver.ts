/**
 * The receiving end of the call benchmarks: a SIP UAS (Portier's SIP stack, no media
 * stack) that answers every INVITE with PCMU on a plain UDP socket it owns, records the
 * arrival time of each RTP packet with process.hrtime, and reflects each packet back to
 * its source (own SSRC) so that the caller also decodes and plays a 50 pps stream.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseSipUri } from '../src/sip/messages/index.js';
import type { IncomingInviteSession } from '../src/sip/sessions/incoming-invite-session.js';
import type { OfferRejection, SessionDescriptionHandler } from '../src/sip/sessions/session-description-handler.js';
import { SessionManager } from '../src/sip/sessions/session-manager.js';
import { SipStack } from '../src/sip/sip-stack.js';

/** One received RTP stream: arrival times and header fields, in arrival order. */
export interface ArrivalStream {
  /** User part of the caller's From (who sent it). */
  caller: string;
  /** The local RTP port it arrived on. */
  port: number;
  arrivalsNs: bigint[];
  sequence: number[];
  timestamp: number[];
}

/** A UDP socket answering one call and recording what arrives on it. */
class RecordingMedia implements SessionDescriptionHandler {
  readonly stream: ArrivalStream;

  constructor(readonly socket: Socket, private readonly port: number) {
    this.stream = { caller: '?', port, arrivalsNs: [], sequence: [], timestamp: [] };
    socket.on('message', (packet, from) => {
      const at = process.hrtime.bigint();
      if (packet.length < 12 || (packet[0]! & 0xc0) !== 0x80) return;
      const payloadType = packet[1]! & 0x7f;
      if (payloadType >= 72 && payloadType <= 76) return; // RTCP on the RTP port (mux), not ours to count
      this.stream.arrivalsNs.push(at);
      this.stream.sequence.push(packet.readUInt16BE(2));
      this.stream.timestamp.push(packet.readUInt32BE(4));
      // Reflect with our own SSRC, so the sender receives (and decodes) a real stream.
      packet.writeUInt32BE(0x5eed0000 + this.port, 8);
      socket.send(packet, from.port, from.address);
    });
  }

  createOffer(): string {
    throw new Error('the benchmark receiver only answers');
  }

  receiveOffer(): { answer: string } | OfferRejection {
    return {
      answer: [
        'v=0',
        `o=bench ${this.port} 1 IN IP4 127.0.0.1`,
        's=-',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        `m=audio ${this.port} RTP/AVP 0`,
        'a=rtpmap:0 PCMU/8000',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    };
  }

  receiveAnswer(): void {}
}

/** A running receiver. */
export interface CallReceiver {
  readonly sipPort: number;
  /** URI to call, e.g. `sip:bench@127.0.0.1:36435`. */
  readonly uri: string;
  /** Streams of the calls answered so far. */
  readonly streams: ArrivalStream[];
  /** Sessions answered so far. */
  readonly sessions: IncomingInviteSession[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1:sipPort with one pre-bound RTP socket per port given (one call each). */
export async function startCallReceiver(options: { sipPort: number; rtpPorts: number[] }): Promise<CallReceiver> {
  const sockets = await Promise.all(
    options.rtpPorts.map(
      (port) =>
        new Promise<RecordingMedia>((resolve, reject) => {
          const socket = createSocket('udp4');
          socket.once('error', reject);
          socket.bind(port, '127.0.0.1', () => resolve(new RecordingMedia(socket, port)));
        }),
    ),
  );
  const free = [...sockets];
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: options.sipPort }] });
  const manager = new SessionManager(stack.core, {
    aor: parseSipUri(`sip:bench@127.0.0.1:${options.sipPort}`),
    createHandler: () => {
      const media = free.shift();
      if (!media) throw new Error('benchmark receiver: more calls than RTP sockets');
      return media;
    },
    session: { sessionTimers: false },
  });
  const streams: ArrivalStream[] = [];
  const sessions: IncomingInviteSession[] = [];
  manager.on('invitation', (session) => {
    const media = session.handler as RecordingMedia;
    media.stream.caller = /^sips?:([^@;]+)@/.exec(session.remoteIdentity.uri.toString())?.[1] ?? '?';
    streams.push(media.stream);
    sessions.push(session);
    void session.accept();
  });
  return {
    sipPort: options.sipPort,
    uri: `sip:bench@127.0.0.1:${options.sipPort}`,
    streams,
    sessions,
    async close() {
      manager.close();
      await stack.close();
      for (const media of sockets) media.socket.close();
    },
  };
}
