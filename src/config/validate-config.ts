import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { DEFAULT_CONFIG } from './default-config.js';
import { didYouMean } from './did-you-mean.js';
import type { PortierConfig } from './portier-config.js';
import { checkValue, formatPath, type PathSegment, type SchemaContext, type SchemaIssue } from './schema.js';

/** Where validation looks things up; the YAML loader fills `locate` and `sourceText`. */
export interface ValidateOptions {
  /** Environment for `{ env: NAME }` secrets; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Reader for `{ file: path }` secrets; defaults to reading UTF-8 from disk. */
  readSecretFile?: (path: string) => string;
  /** 1-based position of a key (`at: 'key'`) or value in the source, when there is one. */
  locate?: (path: readonly PathSegment[], at: 'key' | 'value') => { line: number; column: number } | undefined;
  sourceText?: SchemaContext['sourceText'];
  /** File name used in error messages. */
  file?: string;
}

/**
 * Checks a parsed configuration (as YAML or JSON gives it; `undefined` for none),
 * fills defaults, resolves secrets and checks cross-references. Throws a
 * `ConfigError` listing every problem.
 */
export function validateConfig(input: unknown, options: ValidateOptions = {}): PortierConfig {
  const ctx: SchemaContext = {
    env: options.env ?? process.env,
    readSecretFile: options.readSecretFile ?? ((p) => readFileSync(p, 'utf8')),
    sourceText: options.sourceText,
  };
  const issues: SchemaIssue[] = [];
  const checked = checkValue(CONFIG_SCHEMA, input ?? {}, DEFAULT_CONFIG, [], ctx, issues) as PortierConfig;
  if (issues.length === 0) crossCheck(checked, issues);
  if (issues.length > 0) {
    const located: ConfigIssue[] = issues.map((i) => ({
      path: formatPath(i.path),
      message: i.message,
      ...options.locate?.(i.path, i.at),
    }));
    // File order reads best; problems without a position keep their order at the end.
    located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
    throw new ConfigError(located, options.file);
  }
  return checked;
}

const isLoopback = (address: string): boolean => address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));

/** Rules that span several keys: references between sections, uniqueness, and conditional requirements. */
function crossCheck(c: PortierConfig, issues: SchemaIssue[]): void {
  const add = (path: PathSegment[], message: string): void => void issues.push({ path, message, at: 'value' });

  // Accounts without an id get one by position, so buttons can still refer to them.
  const accountIds = new Map<string, number>();
  c.sip.accounts.forEach((a, i) => {
    a.id ??= `account${i + 1}`;
    if (accountIds.has(a.id)) add(['sip', 'accounts', i, 'id'], `found "${a.id}" again, expected a unique id (first used by sip.accounts[${accountIds.get(a.id)}])`);
    else accountIds.set(a.id, i);
  });
  c.buttons.forEach((b, i) => {
    if (b.account !== undefined && !accountIds.has(b.account)) add(['buttons', i, 'account'], unknownRef(b.account, 'sip.accounts[].id', accountIds.keys()));
    if (b.callLimitSeconds > 0 && b.callLimitWarningSeconds >= b.callLimitSeconds) {
      add(['buttons', i, 'callLimitWarningSeconds'], `found ${b.callLimitWarningSeconds}, expected less than callLimitSeconds (${b.callLimitSeconds})`);
    }
  });

  const relayNames = new Map<string, number>();
  c.doors.relays.forEach((r, i) => {
    if (relayNames.has(r.name)) add(['doors', 'relays', i, 'name'], `found "${r.name}" again, expected a unique relay name`);
    else relayNames.set(r.name, i);
  });
  // Door codes are secrets: messages name the entries involved, never the digits or their length.
  const seenCodes = new Map<string, number>();
  const firstLength = c.doors.codes[0]?.code.length;
  c.doors.codes.forEach((entry, i) => {
    if (!relayNames.has(entry.relay)) add(['doors', 'codes', i, 'relay'], unknownRef(entry.relay, 'doors.relays[].name', relayNames.keys()));
    const first = seenCodes.get(entry.code);
    if (first !== undefined) add(['doors', 'codes', i, 'code'], `the same code as doors.codes[${first}], expected each code once`);
    else seenCodes.set(entry.code, i);
    if (c.doors.codeEntry.terminator === 'length' && entry.code.length !== firstLength) {
      add(['doors', 'codes', i, 'code'], 'a code of a different length than doors.codes[0], expected one length for all codes when codeEntry.terminator is "length"');
    }
  });

  if (c.http.enabled && c.http.token === undefined && !isLoopback(c.http.bind)) {
    add(['http', 'token'], `missing, expected a token because http.bind (${c.http.bind}) is not a loopback address`);
  }
  if (c.timers.t1Ms > c.timers.t2Ms) add(['timers', 't1Ms'], `found ${c.timers.t1Ms}, expected at most timers.t2Ms (${c.timers.t2Ms})`);
  if (c.audio.driver === 'sim' && c.audio.sim.source === 'file' && c.audio.sim.file === undefined) {
    add(['audio', 'sim', 'file'], 'missing, expected a WAV file path because audio.sim.source is "file"');
  }
  c.sip.listen.forEach((l, i) => {
    if (l.transport !== 'tls') return;
    if (c.sip.tls.cert === undefined) add(['sip', 'tls', 'cert'], `missing, expected a certificate file because sip.listen[${i}] is tls`);
    if (c.sip.tls.key === undefined) add(['sip', 'tls', 'key'], `missing, expected a key file because sip.listen[${i}] is tls`);
  });
}

function unknownRef(found: string, what: string, names: Iterable<string>): string {
  const all = [...names];
  const guess = didYouMean(found, all);
  return `found "${found}", expected one of ${what}: ${all.join(', ') || '(none)'}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}
