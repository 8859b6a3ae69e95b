/**
 * The typed, validated Portier configuration. Every field has been checked and
 * defaulted by `validateConfig`, so code inside trusts these types without
 * re-checking. Keys are camelCase in the YAML file as here.
 */

/** SIP transport used to reach a registrar or to listen on. */
export type SipTransportName = 'udp' | 'tcp' | 'tls';
/** How DTMF is sent and accepted on a call. */
export type DtmfMode = 'rfc4733' | 'info' | 'inband' | 'auto';
/** G.711 variants, in preference order when listed. */
export type CodecName = 'pcmu' | 'pcma';
/** Allowed RTP packet durations in milliseconds. */
export type Ptime = 10 | 20 | 30 | 40;

/** One SIP account the door station registers with and calls from. */
export interface SipAccountConfig {
  /** Name the buttons refer to (`buttons[].account`). */
  id: string;
  /** SIP URI of the registrar, e.g. `sip:pbx.example.org:5060`. */
  registrar: string;
  /** Tried when the registrar does not answer. */
  backupRegistrar?: string;
  /** Every request goes through this proxy (a pre-loaded Route, RFC 3261 §8.1.2). */
  outboundProxy?: string;
  /** Whether to send REGISTER at all (false: peer-to-peer or IP-authenticated trunks). */
  register: boolean;
  /** Domain of the address of record; defaults to the registrar host. */
  domain?: string;
  username: string;
  /** Digest user name when it differs from `username`. */
  authUsername?: string;
  password?: string;
  /** Digest realm to answer; any realm when unset. */
  realm?: string;
  displayName: string;
  transport: SipTransportName;
  /** Requested registration lifetime in seconds. */
  registrationExpires: number;
  /** NAT keep-alive (CRLF ping / OPTIONS) interval in seconds; 0 turns it off. */
  keepAliveSeconds: number;
  dtmfMode: DtmfMode;
  codecs: CodecName[];
  ptime: Ptime;
}

/** A local SIP listening socket. */
export interface SipListenConfig {
  transport: SipTransportName;
  address: string;
  port: number;
}

/** Certificates for SIP over TLS; paths to PEM files. */
export interface SipTlsConfig {
  ca?: string;
  cert?: string;
  key?: string;
  verifyServer: boolean;
}

export interface SipConfig {
  accounts: SipAccountConfig[];
  listen: SipListenConfig[];
  tls: SipTlsConfig;
  userAgent: string;
}

/** RFC 3261 §17.1.1.1 timer values. */
export interface TimerConfig {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

/** What the simulated microphone produces when `audio.driver` is `sim`. */
export interface SimulatedAudioConfig {
  source: 'silence' | 'tone' | 'file';
  toneHz: number;
  /** WAV file played in a loop when `source` is `file`. */
  file?: string;
}

export interface AudioConfig {
  driver: 'alsa' | 'sim';
  /** ALSA device name, e.g. `plughw:1,0`. */
  captureDevice: string;
  playbackDevice: string;
  captureGainDb: number;
  playbackGainDb: number;
  sim: SimulatedAudioConfig;
}

/** Per-line override of the board profile for one logical pin. */
export interface PinOverride {
  line?: number;
  activeLow?: boolean;
  pull?: 'up' | 'down' | 'none';
  debounceMs?: number;
}

export interface HardwareConfig {
  driver: 'sim' | 'onoff' | 'rpio';
  /** Board profile name, which maps logical names (`bell1`, `relay1`…) to GPIO lines. */
  board: string;
  pins: Record<string, PinOverride>;
  longPressMs: number;
}

/** One callee of a button's call plan. */
export interface CallTargetConfig {
  /** SIP URI or a bare extension (dialled at the account's domain). */
  uri: string;
  ringSeconds: number;
}

/** What pressing a bell button does. */
export interface ButtonConfig {
  /** Logical input name of the button. */
  input: string;
  /** Account id to call from; the first account when unset. */
  account?: string;
  targets: CallTargetConfig[];
  mode: 'parallel' | 'sequential';
  /** How many times the whole plan is tried. */
  repeat: number;
  /** Upper bound on ringing across all targets and cycles. */
  ringTimeoutSeconds: number;
  pressAgainCancels: boolean;
  /** Call time limit; 0 means none. */
  callLimitSeconds: number;
  /** A warning tone this many seconds before the limit. */
  callLimitWarningSeconds: number;
  /** Hang up this long after the door was opened during the call; 0 keeps the call. */
  hangUpAfterDoorOpenSeconds: number;
}

/** How incoming calls to the door station are handled. */
export interface IncomingCallConfig {
  mode: 'auto' | 'ring-then-answer' | 'reject';
  /** Delay before answering (auto / ring-then-answer) or rejecting. */
  answerDelaySeconds: number;
  /** Callers allowed (SIP URIs or user parts, `*` wildcard); empty allows everyone. */
  allow: string[];
  /**
   * Where an INVITE must come from for its From to count against `allow` (IP addresses or CIDR
   * ranges), besides the addresses the accounts' registrars and outbound proxies resolve to.
   */
  trustedSources: string[];
  rejectCode: 403 | 486;
  /** Answer at once when the caller asks for intercom auto-answer (Call-Info answer-after, Alert-Info). */
  honourIntercomHints: boolean;
}

export interface RelayConfig {
  name: string;
  /** Logical output name. */
  output: string;
  /** Pulse length when `hold` is false. */
  pulseMs: number;
  /** Keep energised until told otherwise (e.g. a gate held open). */
  hold: boolean;
}

/** One door code; several codes may open the same relay. */
export interface DoorCodeConfig {
  code: string;
  relay: string;
}

export interface CodeEntryConfig {
  /** `#` ends an entry; `length`: all codes share one length and an entry ends when it is reached. */
  terminator: '#' | 'length';
  interDigitTimeoutMs: number;
}

export interface BruteForceConfig {
  wrongCodesPerCall: number;
  globalLimit: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface DoorContactConfig {
  /** Logical input of the door contact; none when unset. */
  input?: string;
  openTooLongSeconds: number;
}

export interface DoorsConfig {
  relays: RelayConfig[];
  codes: DoorCodeConfig[];
  codeEntry: CodeEntryConfig;
  bruteForce: BruteForceConfig;
  contact: DoorContactConfig;
}

export interface TamperConfig {
  /** Logical input of the tamper switch; none when unset. */
  input?: string;
}

/** Logical outputs of the status LEDs; each is optional. */
export interface LedConfig {
  status?: string;
  call?: string;
  door?: string;
}

export interface HttpConfig {
  enabled: boolean;
  bind: string;
  port: number;
  /** Bearer token; required when `bind` is not a loopback address. */
  token?: string;
}

export interface EventLogConfig {
  path: string;
  maxBytes: number;
}

export interface LoggingConfig {
  level: 'debug' | 'info' | 'warn' | 'error';
}

/** The whole configuration. */
export interface PortierConfig {
  sip: SipConfig;
  timers: TimerConfig;
  audio: AudioConfig;
  hardware: HardwareConfig;
  buttons: ButtonConfig[];
  incoming: IncomingCallConfig;
  doors: DoorsConfig;
  tamper: TamperConfig;
  leds: LedConfig;
  http: HttpConfig;
  eventLog: EventLogConfig;
  logging: LoggingConfig;
}

/** A top-level section name, as reported by `diffConfig`. */
export type ConfigSection = keyof PortierConfig;
