import { isIP } from 'node:net';
import { ACCOUNT_DEFAULTS, BUTTON_DEFAULTS, LISTEN_DEFAULTS, RELAY_DEFAULTS, TARGET_DEFAULTS } from './default-config.js';
import { bool, int, list, map, num, obj, oneOf, required, secret, str, type ObjectSchema } from './schema.js';

/** Largest number of digits in a door code. */
export const MAX_CODE_DIGITS = 16;

const sipUri = str({ pattern: /^sips?:[^\s<>"]+$/i, expected: 'a SIP URI (sip:… or sips:…)' });
const targetUri = str({
  pattern: /^(sips?:[^\s<>"]+|tel:[0-9+*#-]+|[\w.+*#~-]{1,64})$/i,
  expected: 'a SIP URI or an extension',
});
const logicalName = str({ pattern: /^[A-Za-z][\w-]{0,31}$/, expected: 'a name of letters, digits, - and _' });
const ipAddress = str({ test: (s) => isIP(s) !== 0, expected: 'an IP address' });
const nonEmpty = str({ minLength: 1 });
const addressOrRange = str({ test: isAddressOrRange, expected: 'an IP address or a CIDR range (e.g. 192.0.2.10, 192.0.2.0/24, 2001:db8::/32)' });
const port = int(0, 65535);
const transport = oneOf('udp', 'tcp', 'tls');

/** Whether `text` is an IP address or `address/prefix` with a prefix length its family allows. */
function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The shape of the configuration file; defaults come from default-config.ts. */
export const CONFIG_SCHEMA: ObjectSchema = obj({
  sip: obj({
    accounts: list(
      obj({
        id: logicalName,
        registrar: required(sipUri),
        backupRegistrar: sipUri,
        outboundProxy: sipUri,
        register: bool(),
        domain: str({ pattern: /^[\w.-]+$|^\[[0-9a-fA-F:.]+\]$/, expected: 'a host name or address' }),
        username: required(str({ pattern: /^[^\s@:;]+$/, expected: 'a user name without spaces, @, : or ;' })),
        authUsername: nonEmpty,
        password: secret(),
        realm: nonEmpty,
        displayName: str({ maxLength: 64, expected: 'a string of at most 64 characters' }),
        transport,
        registrationExpires: int(60, 86_400),
        keepAliveSeconds: int(0, 30),
        dtmfMode: oneOf('rfc4733', 'info', 'inband', 'auto'),
        codecs: list(oneOf('pcmu', 'pcma'), { minItems: 1, maxItems: 2 }),
        ptime: oneOf(10, 20, 30, 40),
      }),
      { minItems: 1, maxItems: 4, itemDefaults: ACCOUNT_DEFAULTS },
    ),
    listen: list(obj({ transport, address: ipAddress, port }), { minItems: 1, itemDefaults: LISTEN_DEFAULTS }),
    tls: obj({ ca: nonEmpty, cert: nonEmpty, key: nonEmpty, verifyServer: bool() }),
    userAgent: str({ pattern: /^[\x21-\x7e][\x20-\x7e]{0,63}$/, expected: 'printable ASCII text of at most 64 characters' }),
  }),
  timers: obj({ t1Ms: int(50, 10_000), t2Ms: int(500, 60_000), t4Ms: int(500, 60_000) }),
  audio: obj({
    driver: oneOf('alsa', 'sim'),
    captureDevice: nonEmpty,
    playbackDevice: nonEmpty,
    captureGainDb: num(-40, 40),
    playbackGainDb: num(-40, 40),
    sim: obj({ source: oneOf('silence', 'tone', 'file'), toneHz: int(50, 3800), file: nonEmpty }),
  }),
  hardware: obj({
    driver: oneOf('sim', 'onoff', 'rpio'),
    board: str({ pattern: /^[a-z0-9][a-z0-9._-]*$/, expected: 'a board profile name (lower case, digits, . _ -)' }),
    pins: map(
      /^[A-Za-z][\w-]{0,31}$/,
      'a logical pin name of letters, digits, - and _',
      obj({ line: int(0, 511), activeLow: bool(), pull: oneOf('up', 'down', 'none'), debounceMs: int(0, 1000) }),
    ),
    longPressMs: int(200, 10_000),
  }),
  buttons: list(
    obj({
      input: required(logicalName),
      account: logicalName,
      targets: required(list(obj({ uri: required(targetUri), ringSeconds: int(1, 600) }, 'uri'), {
        minItems: 1,
        maxItems: 16,
        itemDefaults: TARGET_DEFAULTS,
      })),
      mode: oneOf('parallel', 'sequential'),
      repeat: int(1, 10),
      ringTimeoutSeconds: int(1, 3600),
      pressAgainCancels: bool(),
      callLimitSeconds: int(0, 86_400),
      callLimitWarningSeconds: int(0, 600),
      hangUpAfterDoorOpenSeconds: int(0, 600),
    }),
    { itemDefaults: BUTTON_DEFAULTS },
  ),
  incoming: obj({
    mode: oneOf('auto', 'ring-then-answer', 'reject'),
    answerDelaySeconds: int(0, 120),
    allow: list(nonEmpty),
    trustedSources: list(addressOrRange),
    rejectCode: oneOf(403, 486),
    honourIntercomHints: bool(),
  }),
  doors: obj({
    relays: list(obj({ name: required(logicalName), output: required(logicalName), pulseMs: int(50, 60_000), hold: bool() }), {
      minItems: 1,
      itemDefaults: RELAY_DEFAULTS,
    }),
    codes: list(
      obj({
        code: required(secret(str({ pattern: new RegExp(`^[0-9]{1,${MAX_CODE_DIGITS}}$`), expected: `1 to ${MAX_CODE_DIGITS} digits` }))),
        relay: required(logicalName),
      }),
      { maxItems: 1000 },
    ),
    codeEntry: obj({ terminator: oneOf('#', 'length'), interDigitTimeoutMs: int(500, 60_000) }),
    bruteForce: obj({
      wrongCodesPerCall: int(1, 100),
      globalLimit: int(1, 10_000),
      windowSeconds: int(1, 86_400),
      lockoutSeconds: int(0, 86_400),
    }),
    contact: obj({ input: logicalName, openTooLongSeconds: int(1, 86_400) }),
  }),
  tamper: obj({ input: logicalName }),
  leds: obj({ status: logicalName, call: logicalName, door: logicalName }),
  http: obj({ enabled: bool(), bind: ipAddress, port: int(1, 65535), token: secret(str({ minLength: 16, expected: 'at least 16 characters' })) }),
  eventLog: obj({ path: nonEmpty, maxBytes: int(4096, 1024 * 1024 * 1024) }),
  logging: obj({ level: oneOf('debug', 'info', 'warn', 'error') }),
});
