import type {
  ButtonConfig,
  CallTargetConfig,
  PortierConfig,
  RelayConfig,
  SipAccountConfig,
  SipListenConfig,
} from './portier-config.js';

/*
 * Every default value lives here, so that the demo can be changed in one place.
 * With no file at all these give a working simulation: simulated GPIO and audio,
 * one account registering on loopback, one bell button calling a flat phone on
 * loopback. There is deliberately no default door code: a default code would open
 * a real door on a board whose owner forgot to set one.
 */

/** Values an account entry gets for keys it leaves out (`registrar` and `username` are required). */
export const ACCOUNT_DEFAULTS: Omit<SipAccountConfig, 'id' | 'registrar' | 'username'> = {
  register: true,
  displayName: 'Door',
  transport: 'udp',
  registrationExpires: 3600,
  keepAliveSeconds: 25,
  dtmfMode: 'auto',
  codecs: ['pcmu', 'pcma'],
  ptime: 20,
};

/** Values a `sip.listen` entry gets for keys it leaves out. */
export const LISTEN_DEFAULTS: SipListenConfig = { transport: 'udp', address: '0.0.0.0', port: 5060 };

/** Values a call target gets for keys it leaves out (`uri` is required). */
export const TARGET_DEFAULTS: Omit<CallTargetConfig, 'uri'> = { ringSeconds: 30 };

/** Values a button entry gets for keys it leaves out (`input` and `targets` are required). */
export const BUTTON_DEFAULTS: Omit<ButtonConfig, 'input' | 'targets' | 'account'> = {
  mode: 'parallel',
  repeat: 1,
  ringTimeoutSeconds: 60,
  pressAgainCancels: false,
  callLimitSeconds: 180,
  callLimitWarningSeconds: 15,
  hangUpAfterDoorOpenSeconds: 5,
};

/** Values a relay entry gets for keys it leaves out (`name` and `output` are required). */
export const RELAY_DEFAULTS: Omit<RelayConfig, 'name' | 'output'> = { pulseMs: 3000, hold: false };

/** The whole default configuration (the demo simulation). Treat as read-only; `validateConfig` clones from it. */
export const DEFAULT_CONFIG: PortierConfig = {
  sip: {
    accounts: [
      {
        id: 'door',
        registrar: 'sip:127.0.0.1:5060',
        username: 'door',
        password: 'door-demo',
        ...ACCOUNT_DEFAULTS,
      },
    ],
    listen: [{ transport: 'udp', address: '127.0.0.1', port: 5070 }],
    tls: { verifyServer: true },
    userAgent: 'Portier',
  },
  timers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 },
  audio: {
    driver: 'sim',
    captureDevice: 'default',
    playbackDevice: 'default',
    captureGainDb: 0,
    playbackGainDb: 0,
    sim: { source: 'tone', toneHz: 440 },
  },
  hardware: { driver: 'sim', board: 'sim', pins: {}, longPressMs: 1500 },
  buttons: [{ input: 'bell1', targets: [{ uri: 'sip:flat@127.0.0.1:5060', ...TARGET_DEFAULTS }], ...BUTTON_DEFAULTS }],
  incoming: {
    mode: 'auto',
    answerDelaySeconds: 0,
    allow: [],
    trustedSources: [],
    rejectCode: 486,
    honourIntercomHints: true,
  },
  doors: {
    relays: [{ name: 'door', output: 'relay1', ...RELAY_DEFAULTS }],
    codes: [],
    codeEntry: { terminator: '#', interDigitTimeoutMs: 5000 },
    bruteForce: { wrongCodesPerCall: 3, globalLimit: 10, windowSeconds: 600, lockoutSeconds: 300 },
    contact: { openTooLongSeconds: 60 },
  },
  tamper: {},
  leds: {},
  http: { enabled: true, bind: '127.0.0.1', port: 8080 },
  eventLog: { path: '/var/lib/portier/events.jsonl', maxBytes: 1024 * 1024 },
  logging: { level: 'info' },
};
