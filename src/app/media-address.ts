import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { SipUri } from '../sip/messages/index.js';

/**
 * The address to bind RTP on and write into SDP. A specific listen address is used
 * as it is; a wildcard (`0.0.0.0`, `::`) cannot go into SDP, so the interface the
 * system would route to the registrar from is asked for (a connected UDP socket sends
 * nothing), falling back to the first external IPv4 address.
 */
export async function mediaAddressFor(listenAddress: string, registrar: SipUri): Promise<string> {
  if (listenAddress !== '0.0.0.0' && listenAddress !== '::') return listenAddress;
  const family = listenAddress === '::' ? 'udp6' : 'udp4';
  const routed = await new Promise<string | undefined>((resolve) => {
    const socket = createSocket(family);
    const done = (address: string | undefined) => {
      socket.close();
      resolve(address);
    };
    socket.once('error', () => done(undefined));
    try {
      socket.connect(registrar.port ?? 5060, registrar.hostname, () => {
        try {
          done(socket.address().address);
        } catch {
          done(undefined);
        }
      });
    } catch {
      done(undefined);
    }
  });
  if (routed && isIP(routed) && routed !== '0.0.0.0' && routed !== '::') return routed;
  for (const list of Object.values(networkInterfaces())) {
    const external = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return listenAddress === '::' ? '::1' : '127.0.0.1';
}
