import { NameAddr, SipUri, TelUri } from '../sip/messages/index.js';

/** The parts of a caller's address the allow-list compares. */
export interface CallerIdentity {
  /** User part, unescaped (`%32%30%31` and `201` are one user); the number for tel: URIs. */
  user: string;
  /** Host in lower case (RFC 3261 §19.1.4: hosts compare case-insensitively); empty for tel: URIs. */
  host: string;
  port?: number;
}

/** Reads a From value or a bare URI (`"Flat" <sip:201@pbx>;tag=x`, `sip:201@pbx`); undefined when it is not a SIP or tel URI. */
export function callerIdentity(caller: string): CallerIdentity | undefined {
  let uri;
  try {
    uri = NameAddr.parse(caller.trim()).uri;
  } catch {
    return undefined;
  }
  if (uri instanceof TelUri) return { user: uri.number, host: '' };
  if (!(uri instanceof SipUri)) return undefined;
  return { user: unescape(uri.user ?? ''), host: uri.hostname.toLowerCase(), ...(uri.port !== undefined ? { port: uri.port } : {}) };
}

/**
 * Callers allowed to call the door station. An entry is a SIP URI
 * (`sip:*@pbx.example.org`, `sip:201@pbx:5060`), `user@host`, or a bare user
 * part (`201`, `2*`); `*` matches any run of characters and a lone `*` everyone.
 * An empty list allows every caller (the configuration's documented default).
 *
 * What it can guarantee: it matches the From header, which the caller writes. It
 * identifies a caller only when the INVITE has passed a PBX that authenticates its
 * users and rewrites or checks From; anyone who can send SIP straight to the door
 * station's listening port can claim any From. So the list is not consulted alone:
 * AnswerPolicy counts a match only for an INVITE from a trusted source (the PBX's
 * addresses, `incoming.trustedSources`). A bare user part (`201`) matches that user
 * at any domain, trusting the PBX's check of From; `sip:201@pbx` pins the domain.
 * P-Asserted-Identity (RFC 3325) is not used: it is as forgeable as From unless the
 * request is known to come from the trusted PBX. Keeping the SIP port reachable only
 * from the PBX (bind `sip.listen` to the PBX-facing address, firewall it) still helps.
 */
export class CallerAllowList {
  private readonly matchers: Array<(c: CallerIdentity) => boolean>;

  constructor(readonly patterns: readonly string[]) {
    this.matchers = patterns.map(compile);
  }

  /** Whether `caller` (a From value or URI) may call. */
  permits(caller: string): boolean {
    if (this.patterns.length === 0) return true;
    const identity = callerIdentity(caller);
    if (!identity) return this.patterns.includes('*');
    return this.matchers.some((m) => m(identity));
  }
}

function compile(pattern: string): (c: CallerIdentity) => boolean {
  const p = pattern.trim();
  if (p === '*') return () => true;
  const body = p.replace(/^(sips?|tel):/i, '');
  const at = body.lastIndexOf('@');
  if (at < 0) {
    const user = glob(body, false);
    return (c) => user.test(c.user);
  }
  const user = glob(body.slice(0, at), false);
  const hostPort = body.slice(at + 1).split(';')[0]!;
  const portMatch = /^(.*?)(?::(\d+))?$/.exec(hostPort)!;
  const host = glob(portMatch[1]!.replace(/^\[|\]$/g, ''), true);
  const port = portMatch[2] !== undefined ? Number(portMatch[2]) : undefined;
  return (c) => user.test(c.user) && host.test(c.host) && (port === undefined || c.port === port);
}

function glob(text: string, ignoreCase: boolean): RegExp {
  const source = text
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}

function unescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
