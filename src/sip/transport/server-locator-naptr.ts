import type { NaptrRecord } from './server-locator-resolver.js';
import type { TransportProtocol } from './transport-types.js';

/** A NAPTR record RFC 3263 lets us follow: its transport and the SRV name it points to. */
export interface NaptrChoice {
  protocol: TransportProtocol;
  /** The SRV query name (the record's replacement). */
  srvName: string;
  order: number;
  preference: number;
}

// RFC 3263 §4.1 and the RFC 3263 NAPTR service registrations; SCTP/WS services are not ours.
const SERVICES: Record<string, TransportProtocol> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };

/**
 * Keeps the NAPTR records we can follow, in the order to try them (RFC 3263 §4.1): flag "s" (an SRV
 * lookup follows), a service for a transport we have enabled, and for a SIPS URI only SIPS+D2T
 * ("the client MUST discard any records that do not have a service field of SIPS+D2X"); sorted by
 * order, then preference (RFC 3403 §4.1).
 */
export function selectNaptrRecords(
  records: readonly NaptrRecord[],
  options: { secure: boolean; transports: readonly TransportProtocol[] },
): NaptrChoice[] {
  const choices: NaptrChoice[] = [];
  for (const r of records) {
    if (r.flags.toLowerCase() !== 's') continue;
    const protocol = SERVICES[r.service.toUpperCase()];
    if (protocol === undefined || !options.transports.includes(protocol)) continue;
    if (options.secure && protocol !== 'tls') continue;
    const srvName = r.replacement.replace(/\.$/, '');
    if (srvName === '') continue;
    choices.push({ protocol, srvName, order: r.order, preference: r.preference });
  }
  return choices.sort((a, b) => a.order - b.order || a.preference - b.preference);
}
