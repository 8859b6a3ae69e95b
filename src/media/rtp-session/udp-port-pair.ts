import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { RtpSessionError } from './rtp-session-error.js';

/** An inclusive range of local UDP ports for RTP. */
export interface PortRange {
  min: number;
  max: number;
}

/** Two bound sockets: RTP on an even port, RTCP on the next (RFC 3550 §11). */
export interface UdpPortPair {
  rtp: Socket;
  rtcp: Socket;
  rtpPort: number;
}

/**
 * Binds an RTP/RTCP socket pair on `address`, trying the even ports of `range`
 * from a random one on, skipping ports in use (EADDRINUSE/EACCES on either
 * socket). Any other error, or a full range, is an RtpSessionError('bind').
 */
export async function bindUdpPortPair(address: string, range: PortRange): Promise<UdpPortPair> {
  const first = range.min + (range.min % 2);
  const last = range.max - 1; // the RTCP port must fit too
  if (!Number.isInteger(first) || first < 2 || last > 65535 || first > last) {
    throw new RtpSessionError('bind', `port range ${range.min}-${range.max} has no even/odd pair`);
  }
  const pairs = Math.floor((last - first) / 2) + 1;
  const start = randomInt(0, pairs);
  for (let i = 0; i < pairs; i++) {
    const rtpPort = first + ((start + i) % pairs) * 2;
    const rtp = await tryBind(address, rtpPort);
    if (rtp === undefined) continue;
    const rtcp = await tryBind(address, rtpPort + 1).catch((error: unknown) => {
      rtp.close();
      throw error;
    });
    if (rtcp === undefined) {
      rtp.close();
      continue;
    }
    return { rtp, rtcp, rtpPort };
  }
  throw new RtpSessionError('bind', `no free RTP port pair on ${address} in ${range.min}-${range.max}`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The sockets' address lookup: an IP literal — every RTP/RTCP destination but an SDP
 * `c=` naming a host — is answered at once, so each send goes out synchronously instead
 * of after dns.lookup's deferred callback (a closure and a tick per packet, and the
 * packet later than its clock said); names still go to dns.lookup.
 */
export function literalFirstLookup(hostname: string, options: number | LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/** Binds one socket; undefined when the port is taken, throws on anything else. */
function tryBind(address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', lookup: literalFirstLookup });
    const onError = (error: NodeJS.ErrnoException): void => {
      socket.close();
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(new RtpSessionError('bind', `cannot bind UDP ${address}:${port}: ${error.message}`, { cause: error }));
    };
    socket.once('error', onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
