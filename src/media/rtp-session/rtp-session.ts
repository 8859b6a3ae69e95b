import { randomBytes, randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { AudioCodec } from '../codec/audio-codec.js';
import { PcmaCodec } from '../codec/pcma-codec.js';
import { PcmuCodec } from '../codec/pcmu-codec.js';
import { MediaClock } from '../clock/media-clock.js';
import { systemTimeSource, type TimeSource, type TimerHandle } from '../clock/time-source.js';
import type { DtmfDigit } from '../dtmf/dtmf-digit.js';
import { TelephoneEventReceiver, type DtmfKeyPress } from '../dtmf/telephone-event-receiver.js';
import type { TelephoneEventToneOptions } from '../dtmf/telephone-event-sender.js';
import { ntpFromUnixMs, ntpMiddle32 } from '../rtp/ntp-timestamp.js';
import { RtcpBye } from '../rtp/rtcp-bye.js';
import { RtcpCompoundPacket, type RtcpPacket } from '../rtp/rtcp-compound-packet.js';
import { RtcpReceiverReport } from '../rtp/rtcp-receiver-report.js';
import type { ReportBlock } from '../rtp/rtcp-report-block.js';
import { RtcpSenderReport } from '../rtp/rtcp-sender-report.js';
import { RtcpSourceDescription } from '../rtp/rtcp-source-description.js';
import { RtpPacket } from '../rtp/rtp-packet.js';
import { RtpReceiveStatistics } from '../rtp/rtp-receive-statistics.js';
import { RtpSendStatistics } from '../rtp/rtp-send-statistics.js';
import type { NegotiatedMedia } from '../sdp/negotiated-media.js';
import { isNullAddress } from '../sdp/sdp-description.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { AudioPlayout } from './audio-playout.js';
import { RtpAudioPacketizer, type OutgoingRtp, type RtpSendFormat } from './rtp-audio-packetizer.js';
import { RtpSessionError } from './rtp-session-error.js';
import type { RemoteReceptionReport, RtpSessionOptions, RtpSessionStats } from './rtp-session-options.js';
import { RtpSourceLatch, type SourceAddress } from './rtp-source-latch.js';
import { bindUdpPortPair } from './udp-port-pair.js';

/** Events of an RtpSession. */
export type RtpSessionEvents = {
  /** One 20 ms frame of received audio (playout `clock` only). */
  audio: [frame: Int16Array];
  /** A key pressed at the far end, once per press (RFC 4733). */
  dtmf: [digit: DtmfDigit, durationMs: number];
  /** No RTP for the inactivity timeout while we expect media; emitted once until media returns. */
  inactive: [silentMs: number];
  /** RTP is now sent to where the peer's packets come from (symmetric RTP). */
  latched: [address: string, port: number];
  /** A report block about our stream arrived. */
  rtcp: [report: RemoteReceptionReport];
  /** The peer sent RTCP BYE for its source. */
  remoteBye: [reason: string | undefined];
  closed: [];
};

/** Samples in one 20 ms frame at 8 kHz: the unit of sendAudioFrame/readFrame. */
export const FRAME_SAMPLES = 160;
const FRAME_MS = 20;
const CLOCK_RATE = 8000;
/** RFC 3550 §6.4: SR only if we sent RTP since the report before the previous one. */
const SENDER_WINDOW_INTERVALS = 2;
/** A round-trip estimate above this is a clock mix-up, not a network. */
const MAX_PLAUSIBLE_RTT_MS = 60_000;

const CODECS: Record<'PCMU' | 'PCMA', AudioCodec> = { PCMU: new PcmuCodec(), PCMA: new PcmaCodec() };

type State = 'bound' | 'active' | 'closed';

/**
 * The media I/O of one call: one RTP/RTCP socket pair, G.711 out and in, RFC
 * 4733 DTMF both ways, symmetric RTP latching, RTCP reports, per-call
 * statistics and an inactivity watchdog. A thin adapter: packetizing, latching,
 * jitter buffering and statistics are the pure stages it wires to the sockets.
 *
 * Life: `open()` binds the pair (its port goes into our SDP), `start(media)`
 * once negotiated, `updateRemote(media)` on re-INVITE/UPDATE, `close()`.
 * Sending is clocked by the caller — the capture device calling
 * sendAudioFrame() each period, or startPacedSending() with a MediaClock.
 * Playout is pulled with readFrame() unless `playout: 'clock'`.
 */
export class RtpSession extends TypedEmitter<RtpSessionEvents> {
  readonly localAddress: string;
  readonly localRtpPort: number;
  readonly ssrc: number;
  readonly cname: string;

  private readonly rtpSocket: Socket;
  private readonly rtcpSocket: Socket;
  private readonly logger: Logger;
  private readonly time: TimeSource;
  private readonly rtcpIntervalMs: number;
  private readonly inactivityTimeoutMs: number;
  private readonly options: RtpSessionOptions;
  private state: State = 'bound';

  private media: NegotiatedMedia | undefined;
  private packetizer: RtpAudioPacketizer | undefined;
  private playout: AudioPlayout | undefined;
  private readonly latch: RtpSourceLatch;
  private rtcpLatched: { address: string; port: number } | undefined;
  /**
   * The latched peer the RTP socket is connect()ed to. Sends then skip dgram's per-packet
   * address lookup and parsing, and the kernel itself drops datagrams from anyone else
   * (stricter than the latch, which it backs: they no longer reach us, nor the counters).
   */
  private rtpConnected: SourceAddress | undefined;
  private refusedReported = false;
  private readonly dtmfReceiver = new TelephoneEventReceiver({ clockRate: CLOCK_RATE });
  private sendStats: RtpSendStatistics;
  private recvStats: RtpReceiveStatistics | undefined;

  private rtcpTimer: TimerHandle | undefined;
  private inactivityTimer: TimerHandle | undefined;
  private inactivityReported = false;
  private lastReceiveMs = 0;
  private lastRtpSentMs: number | undefined;
  private playoutClock: MediaClock | undefined;
  private sendClock: MediaClock | undefined;

  private counters = {
    packetsSent: 0,
    octetsSent: 0,
    packetsReceived: 0,
    octetsReceived: 0,
    rtcpSent: 0,
    rtcpReceived: 0,
    fractionLost: 0,
  };
  private readonly dropped: RtpSessionStats['dropped'] = {
    malformed: 0,
    unexpectedSource: 0,
    unexpectedSsrc: 0,
    unknownPayloadType: 0,
    notStarted: 0,
    rtcpMalformed: 0,
    rtcpUnexpectedSource: 0,
  };
  private remoteReport: RemoteReceptionReport | undefined;
  private rttMs: number | undefined;

  private constructor(rtp: Socket, rtcp: Socket, rtpPort: number, options: RtpSessionOptions) {
    super();
    this.rtpSocket = rtp;
    this.rtcpSocket = rtcp;
    this.localRtpPort = rtpPort;
    this.localAddress = options.address;
    this.options = options;
    this.logger = (options.logger ?? silentLogger).child({ component: 'rtp', port: rtpPort });
    this.time = options.timeSource ?? systemTimeSource;
    this.rtcpIntervalMs = options.rtcpIntervalMs ?? 5000;
    this.inactivityTimeoutMs = options.inactivityTimeoutMs ?? 30_000;
    this.ssrc = (options.initial?.ssrc ?? randomInt(0, 2 ** 32)) >>> 0;
    this.cname = options.cname ?? `portier-${randomBytes(4).toString('hex')}@${options.address}`;
    this.latch = new RtpSourceLatch(options.latchPackets ?? 3);
    this.sendStats = new RtpSendStatistics(this.ssrc, CLOCK_RATE);
    rtp.on('message', (msg, rinfo) => this.onRtp(msg, rinfo));
    rtcp.on('message', (msg, rinfo) => this.onRtcp(msg, rinfo));
    for (const socket of [rtp, rtcp]) {
      socket.on('error', (error: NodeJS.ErrnoException) => {
        // A connected socket hears the ICMP 'port unreachable' of each packet sent while the
        // peer is not listening (the call's other end went away): expected, and once is enough.
        if (error.code === 'ECONNREFUSED') {
          if (!this.refusedReported) this.logger.debug('peer refuses RTP (ICMP port unreachable)', { error });
          this.refusedReported = true;
          return;
        }
        this.logger.warn('media socket error', { error });
      });
    }
  }

  /** Binds an RTP/RTCP port pair; throws RtpSessionError('bind') when none is free. */
  static async open(options: RtpSessionOptions): Promise<RtpSession> {
    const pair = await bindUdpPortPair(options.address, options.portRange ?? { min: 16384, max: 32767 });
    return new RtpSession(pair.rtp, pair.rtcp, pair.rtpPort, options);
  }

  /** RTCP port: RTP + 1. */
  get localRtcpPort(): number {
    return this.localRtpPort + 1;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The media currently in force, once started. */
  get negotiated(): NegotiatedMedia | undefined {
    return this.media;
  }

  /** Begins media with the negotiated parameters (the same as a first updateRemote). */
  start(media: NegotiatedMedia): void {
    this.updateRemote(media);
  }

  /**
   * Applies new negotiated media (re-INVITE/UPDATE): hold and resume, a new
   * address or port (the latch is forgotten), a new codec or packet time.
   */
  updateRemote(media: NegotiatedMedia): void {
    if (this.state === 'closed') throw new RtpSessionError('closed', 'the RTP session is closed');
    const previous = this.media;
    this.media = { ...media };
    const codec = CODECS[media.codec.name];
    const format: RtpSendFormat = { codec, pt: media.codec.pt, dtmfPt: media.dtmfPt, ptime: media.ptime };
    if (this.packetizer === undefined) {
      this.packetizer = new RtpAudioPacketizer(format, { ...this.options.initial, ssrc: this.ssrc });
    } else if (
      previous === undefined ||
      previous.codec.name !== media.codec.name ||
      previous.codec.pt !== media.codec.pt ||
      previous.dtmfPt !== media.dtmfPt ||
      previous.ptime !== media.ptime
    ) {
      this.packetizer.setFormat(format);
    }
    this.packetizer.sending = media.send && !isNullAddress(media.remoteAddress);
    if (this.playout === undefined) this.playout = new AudioPlayout(codec, { frameSamples: FRAME_SAMPLES, jitter: this.options.jitter });
    else this.playout.setCodec(codec);

    this.latch.setExpected(isNullAddress(media.remoteAddress) ? undefined : { address: media.remoteAddress, port: media.remoteRtpPort });
    // A new SDP address forgot the latch: listen to everyone again until the peer is latched anew.
    if (this.rtpConnected !== undefined && this.latch.latched !== this.rtpConnected) this.disconnectRtp();
    if (previous !== undefined && (previous.remoteRtcpAddress !== media.remoteRtcpAddress || previous.remoteRtcpPort !== media.remoteRtcpPort)) {
      this.rtcpLatched = undefined;
    }

    if (this.state === 'bound') {
      this.state = 'active';
      this.lastReceiveMs = this.time.now();
      this.scheduleRtcp();
      if (this.options.playout === 'clock') {
        this.playoutClock = new MediaClock((tick) => this.onPlayoutTick(tick.skipped), { periodMs: FRAME_MS, timeSource: this.time });
        this.playoutClock.start();
      }
    }
    this.armInactivity();
  }

  /** Sends one frame of captured audio (any length; packets are cut at the negotiated ptime). */
  sendAudioFrame(pcm: Int16Array): void {
    if (this.packetizer === undefined || this.state !== 'active') return;
    this.transmit(this.packetizer.pushAudio(pcm));
  }

  /** Sends a frame of silence (capture underrun, when the far end should keep receiving packets). */
  sendSilence(samples = FRAME_SAMPLES): void {
    if (this.packetizer === undefined || this.state !== 'active') return;
    this.transmit(this.packetizer.pushSilence(samples));
  }

  /** Lets a frame of time pass unsent: the RTP timestamp still advances; queued DTMF still goes out. */
  skipFrame(samples = FRAME_SAMPLES): void {
    if (this.packetizer === undefined || this.state !== 'active') return;
    this.transmit(this.packetizer.skip(samples));
  }

  /** True when the peer negotiated telephone-event, so sendDtmf() can be used. */
  get canSendDtmf(): boolean {
    return this.packetizer?.canSendDtmf ?? false;
  }

  /**
   * Queues a key as RFC 4733 events on the media clock; throws
   * RtpSessionError('no-telephone-event') when the peer has none (use SIP INFO).
   */
  sendDtmf(digit: string, options?: TelephoneEventToneOptions): void {
    if (this.state === 'closed') throw new RtpSessionError('closed', 'the RTP session is closed');
    if (this.packetizer === undefined) throw new RtpSessionError('no-telephone-event', 'media is not negotiated yet');
    this.packetizer.sendDtmf(digit, options);
  }

  /**
   * Sends without a capture device: a MediaClock pulls a 20 ms frame from
   * `source` each period (undefined → silence); periods the clock had to skip
   * are skipped frames, so the timestamp keeps real time.
   */
  startPacedSending(source: () => Int16Array | undefined): void {
    if (this.state === 'closed' || this.sendClock !== undefined) return;
    this.sendClock = new MediaClock(
      (tick) => {
        for (let i = 0; i < tick.skipped; i++) this.skipFrame();
        const frame = source();
        if (frame === undefined) this.sendSilence();
        else this.sendAudioFrame(frame);
      },
      { periodMs: FRAME_MS, timeSource: this.time, onError: (error) => this.logger.warn('paced sending failed', { error }) },
    );
    this.sendClock.start();
  }

  /** Stops startPacedSending(). */
  stopPacedSending(): void {
    this.sendClock?.close();
    this.sendClock = undefined;
  }

  /** The next 20 ms of received audio for the playback device (silence or concealment when none). */
  readFrame(): Int16Array {
    if (this.playout === undefined || this.state !== 'active') return new Int16Array(FRAME_SAMPLES);
    return this.playout.read(this.time.now());
  }

  /** This call's counters. */
  get stats(): RtpSessionStats {
    const recv = this.recvStats;
    const target = this.rtpTarget();
    return {
      packetsSent: this.counters.packetsSent,
      octetsSent: this.counters.octetsSent,
      packetsReceived: this.counters.packetsReceived,
      octetsReceived: this.counters.octetsReceived,
      packetsLost: recv?.cumulativeLost ?? 0,
      fractionLost: this.counters.fractionLost,
      jitterMs: recv === undefined ? 0 : (recv.jitter * 1000) / CLOCK_RATE,
      rttMs: this.rttMs,
      remote: this.remoteReport,
      rtcpSent: this.counters.rtcpSent,
      rtcpReceived: this.counters.rtcpReceived,
      dropped: { ...this.dropped },
      remoteRtp: target,
      latched: this.latch.latched !== undefined,
      jitterBuffer: this.playout?.stats,
    };
  }

  /** Ends the session: RTCP BYE (RFC 3550 §6.6), then sockets and timers are released. Idempotent. */
  close(reason?: string): void {
    if (this.state === 'closed') return;
    const wasActive = this.state === 'active';
    this.state = 'closed';
    this.rtpConnected = undefined;
    this.stopPacedSending();
    this.playoutClock?.close();
    if (this.rtcpTimer !== undefined) this.time.clearTimeout(this.rtcpTimer);
    if (this.inactivityTimer !== undefined) this.time.clearTimeout(this.inactivityTimer);
    this.rtcpTimer = undefined;
    this.inactivityTimer = undefined;
    const closeSockets = (): void => {
      for (const socket of [this.rtpSocket, this.rtcpSocket]) {
        try {
          socket.close();
        } catch {
          // already closed
        }
      }
    };
    // Close only after the BYE has left: closing first would cancel the queued send.
    if (!wasActive || !this.sendRtcp(new RtcpBye([this.ssrc], reason), closeSockets)) closeSockets();
    this.emit('closed');
  }

  // ---- sending ----

  private rtpTarget(): { address: string; port: number } | undefined {
    const latched = this.latch.latched;
    if (latched !== undefined) return latched;
    const media = this.media;
    if (media === undefined || isNullAddress(media.remoteAddress) || media.remoteRtpPort === 0) return undefined;
    return { address: media.remoteAddress, port: media.remoteRtpPort };
  }

  private rtcpTarget(): { address: string; port: number } | undefined {
    if (this.rtcpLatched !== undefined) return this.rtcpLatched;
    const media = this.media;
    if (media === undefined || isNullAddress(media.remoteRtcpAddress) || media.remoteRtcpPort === 0) return undefined;
    return { address: media.remoteRtcpAddress, port: media.remoteRtcpPort };
  }

  private transmit(packets: OutgoingRtp[]): void {
    if (packets.length === 0) return;
    const target = this.rtpTarget();
    if (target === undefined) return;
    const nowWall = Date.now();
    const connected = this.rtpConnected !== undefined;
    for (let i = 0; i < packets.length; i++) {
      const { packet, periodTimestamp } = packets[i]!;
      // No completion callback: it cost a closure and a deferred call per packet, only to
      // debug-log a failed send — which, like a packet lost on the way, is never retried.
      if (connected) this.rtpSocket.send(packet.serialize());
      else this.rtpSocket.send(packet.serialize(), target.port, target.address);
      this.counters.packetsSent++;
      this.counters.octetsSent += packet.payload.length;
      // The period's timestamp, not an event's start: the SR must map wallclock to the media timeline.
      this.sendStats.onPacketSent(periodTimestamp, packet.payload.length, nowWall);
    }
    this.lastRtpSentMs = this.time.now();
  }

  /** Connects the RTP socket to the latched peer (see rtpConnected); sends go by address until it is. */
  private connectRtp(peer: SourceAddress): void {
    const socket = this.rtpSocket;
    if (this.state === 'closed' || this.rtpConnected !== undefined || isConnected(socket)) return;
    const settle = (): void => {
      if (this.state === 'closed' || !isConnected(socket)) return;
      // The latch may have been forgotten (new SDP) while an asynchronous connect was under way.
      if (this.latch.latched === peer) this.rtpConnected = peer;
      else this.disconnectRtp();
    };
    try {
      socket.connect(peer.port, peer.address, settle);
    } catch (error) {
      this.logger.debug('cannot connect the RTP socket; sending by address', { error });
      return;
    }
    // With an IP literal the lookup answers at once and the socket is connected already;
    // it must be known now, since dgram refuses a send with an address on a connected socket.
    settle();
  }

  private disconnectRtp(): void {
    this.rtpConnected = undefined;
    if (!isConnected(this.rtpSocket)) return;
    try {
      this.rtpSocket.disconnect();
    } catch (error) {
      this.logger.debug('cannot disconnect the RTP socket', { error });
    }
  }

  // ---- receiving ----

  private onRtp(msg: Buffer, rinfo: RemoteInfo): void {
    const media = this.media;
    if (this.state !== 'active' || media === undefined) {
      this.dropped.notStarted++;
      return;
    }
    let packet: RtpPacket;
    try {
      packet = RtpPacket.deserialize(msg);
    } catch {
      this.dropped.malformed++;
      return;
    }
    const isAudio = packet.payloadType === media.codec.pt;
    const isDtmf = media.dtmfPt !== undefined && packet.payloadType === media.dtmfPt;
    if (!isAudio && !isDtmf) {
      this.dropped.unknownPayloadType++;
      return;
    }
    const decision = this.latch.check(rinfo.address, rinfo.port, packet.ssrc, packet.sequenceNumber);
    if (decision.verdict === 'unexpected-source') {
      this.dropped.unexpectedSource++;
      return;
    }
    if (decision.verdict === 'unexpected-ssrc') {
      this.dropped.unexpectedSsrc++;
      return;
    }
    if (decision.latched) {
      this.logger.debug('RTP source latched', { address: rinfo.address, port: rinfo.port });
      this.connectRtp(this.latch.latched!);
      this.emit('latched', rinfo.address, rinfo.port);
    }
    if (this.recvStats === undefined || decision.ssrcChanged) {
      this.recvStats = new RtpReceiveStatistics(packet.ssrc);
      this.dtmfReceiver.reset();
    }

    const now = this.time.now();
    this.counters.packetsReceived++;
    this.counters.octetsReceived += packet.payload.length;
    this.lastReceiveMs = now;
    if (this.inactivityReported) {
      this.inactivityReported = false;
      this.armInactivity();
    }
    this.recvStats.onPacket(packet.sequenceNumber, packet.timestamp, (now * CLOCK_RATE) / 1000);

    if (isDtmf) {
      this.reportKeys(
        this.dtmfReceiver.process({ timestamp: packet.timestamp, marker: packet.marker, payload: packet.payload, seq: packet.sequenceNumber }),
      );
      return;
    }
    this.playout!.push(packet.sequenceNumber, packet.timestamp, packet.payload, now, packet.marker, packet.ssrc);
    // An event whose end packets were all lost is reported once audio has moved on past it.
    this.reportKeys(this.dtmfReceiver.flush(packet.timestamp));
  }

  private reportKeys(presses: DtmfKeyPress[]): void {
    for (const press of presses) this.emit('dtmf', press.digit, press.durationMs);
  }

  private onPlayoutTick(skipped: number): void {
    for (let i = 0; i < skipped; i++) this.readFrame();
    const frame = this.readFrame();
    if (this.media?.recv) this.emit('audio', frame);
  }

  // ---- RTCP ----

  private scheduleRtcp(): void {
    if (this.state !== 'active') return;
    // RFC 3550 §6.3.1: "the interval … multiplied by a random factor uniformly distributed between 0.5 and 1.5".
    const delay = this.rtcpIntervalMs * (0.5 + Math.random());
    this.rtcpTimer = this.time.setTimeout(() => {
      this.rtcpTimer = undefined;
      this.sendRtcp();
      this.scheduleRtcp();
    }, delay);
  }

  /** Sends one compound report (with `bye` appended when given); false when there is nowhere to send it. */
  private sendRtcp(bye?: RtcpBye, done?: () => void): boolean {
    const target = this.rtcpTarget();
    if (target === undefined) return false;
    const now = this.time.now();
    const blocks: ReportBlock[] = [];
    if (this.recvStats?.valid) {
      const block = this.recvStats.reportBlock(now);
      this.counters.fractionLost = block.fractionLost / 256;
      blocks.push(block);
    }
    const sentRecently =
      this.lastRtpSentMs !== undefined && now - this.lastRtpSentMs < SENDER_WINDOW_INTERVALS * this.rtcpIntervalMs;
    const report: RtcpPacket = sentRecently
      ? this.sendStats.senderReport(Date.now(), blocks)
      : new RtcpReceiverReport({ ssrc: this.ssrc, reports: blocks });
    const packets: RtcpPacket[] = [report, RtcpSourceDescription.withCanonicalName(this.ssrc, this.cname)];
    if (bye !== undefined) packets.push(bye);
    const bytes = new RtcpCompoundPacket(packets).serialize();
    this.rtcpSocket.send(bytes, target.port, target.address, (error) => {
      if (error) this.logger.debug('RTCP send failed', { error });
      done?.();
    });
    this.counters.rtcpSent++;
    return true;
  }

  private onRtcp(msg: Buffer, rinfo: RemoteInfo): void {
    const media = this.media;
    if (this.state !== 'active' || media === undefined) {
      this.dropped.notStarted++;
      return;
    }
    // RTCP is taken from the host we exchange RTP with (any port: it may be NATed apart from RTP).
    const rtpSource = this.latch.latched?.address ?? media.remoteAddress;
    if (rinfo.address !== rtpSource && rinfo.address !== media.remoteRtcpAddress) {
      this.dropped.rtcpUnexpectedSource++;
      return;
    }
    let compound: RtcpCompoundPacket;
    try {
      compound = RtcpCompoundPacket.deserialize(msg);
    } catch {
      this.dropped.rtcpMalformed++;
      return;
    }
    this.counters.rtcpReceived++;
    if (this.latch.latched !== undefined && rinfo.address === this.latch.latched.address) {
      this.rtcpLatched = { address: rinfo.address, port: rinfo.port };
    }
    const now = this.time.now();
    const peerSsrc = this.latch.ssrc;
    for (const packet of compound.packets) {
      if (packet instanceof RtcpSenderReport) {
        if (this.recvStats !== undefined && packet.ssrc === this.recvStats.ssrc) this.recvStats.onSenderReport(packet.ntp, now);
        this.onReportBlocks(packet.reports);
      } else if (packet instanceof RtcpReceiverReport) {
        this.onReportBlocks(packet.reports);
      } else if (packet instanceof RtcpBye) {
        if (peerSsrc === undefined || packet.ssrcs.includes(peerSsrc)) this.emit('remoteBye', packet.reason);
      }
    }
  }

  private onReportBlocks(blocks: ReportBlock[]): void {
    const block = blocks.find((b) => b.ssrc === this.ssrc);
    if (block === undefined) return;
    let rttMs: number | undefined;
    if (block.lastSenderReport !== 0) {
      // RFC 3550 §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s of the compact NTP format.
      const arrival = ntpMiddle32(ntpFromUnixMs(Date.now()));
      const rtt = ((arrival - block.lastSenderReport - block.delaySinceLastSenderReport) >>> 0) / 65.536;
      if (rtt < MAX_PLAUSIBLE_RTT_MS) rttMs = rtt;
    }
    if (rttMs !== undefined) this.rttMs = rttMs;
    const report: RemoteReceptionReport = {
      fractionLost: block.fractionLost / 256,
      cumulativeLost: block.cumulativeLost,
      jitterMs: (block.jitter * 1000) / CLOCK_RATE,
      rttMs,
    };
    this.remoteReport = report;
    this.emit('rtcp', report);
  }

  // ---- inactivity ----

  /** Watches for RTP only while we expect it: not while we hold, nor while the peer holds. */
  private armInactivity(): void {
    if (this.inactivityTimer !== undefined) this.time.clearTimeout(this.inactivityTimer);
    this.inactivityTimer = undefined;
    const media = this.media;
    if (this.state !== 'active' || this.inactivityTimeoutMs <= 0 || media === undefined) return;
    if (!media.recv || media.remoteHold) return;
    this.inactivityReported = false;
    this.lastReceiveMs = Math.max(this.lastReceiveMs, this.time.now());
    this.scheduleInactivityCheck(this.inactivityTimeoutMs);
  }

  private scheduleInactivityCheck(delayMs: number): void {
    this.inactivityTimer = this.time.setTimeout(() => {
      this.inactivityTimer = undefined;
      if (this.state !== 'active') return;
      const silentMs = this.time.now() - this.lastReceiveMs;
      if (silentMs + 1 >= this.inactivityTimeoutMs) {
        this.inactivityReported = true;
        this.logger.info('no RTP received', { silentMs: Math.round(silentMs) });
        this.emit('inactive', silentMs);
        return;
      }
      // Packets arrived meanwhile: check again when the newest one would time out (one timer, no per-packet re-arm).
      this.scheduleInactivityCheck(this.inactivityTimeoutMs - silentMs);
    }, delayMs);
  }
}

/** Whether a UDP socket is connect()ed (dgram has no cheaper question than this). */
function isConnected(socket: Socket): boolean {
  try {
    socket.remoteAddress();
    return true;
  } catch {
    return false;
  }
}
