import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const UNIT_PATH = new URL('../../systemd/portier.service', import.meta.url);
const unitText = readFileSync(UNIT_PATH, 'utf8');

/** `[Section] Key=value` lines of a unit file, in order (comments and blanks dropped). */
function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

const unit = parseUnit(unitText);
const one = (key: string) => unit.get(`Service.${key}`)?.at(-1);

const systemdAnalyze = await promisify(execFile)('systemd-analyze', ['--version']).then(
  () => true,
  () => false,
);
const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

describe('systemd/portier.service', () => {
  it('is a notify service with a watchdog that does not restart-loop on a configuration error', () => {
    expect(one('Type')).toBe('notify');
    // The notifier falls back to a systemd-notify child process, whose messages need NotifyAccess=all.
    expect(one('NotifyAccess')).toBe('all');
    expect(readFileSync(new URL('../../src/service/systemd-notifier.ts', import.meta.url), 'utf8')).toContain('NotifyAccess=all');
    expect(one('WatchdogSec')).toBe('30s');
    expect(one('Restart')).toBe('on-failure');
    expect(one('RestartPreventExitStatus')).toBe('78');
    expect(one('ExecStart')).toBe('/usr/bin/node --max-semi-space-size=1 /opt/portier/dist/portier.mjs run --config /etc/portier/config.yaml');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(unit.get('Install.WantedBy')).toEqual(['multi-user.target']);
  });

  it('runs unprivileged and hardened, with GPIO and audio devices only', () => {
    expect(one('User')).toBe('portier');
    expect(one('SupplementaryGroups')).toBe('gpio audio');
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ReadWritePaths: '/var/lib/portier',
      StateDirectory: 'portier',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      DevicePolicy: 'closed',
      AmbientCapabilities: '',
      CapabilityBoundingSet: '',
      RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    })) {
      expect(one(key), key).toBe(value);
    }
    expect(unit.get('Service.DeviceAllow')).toEqual(['/dev/gpiomem rw', 'char-alsa rw']);
    // sysfs GPIO (onoff) writes /sys/class/gpio: ProtectKernelTunables would make /sys read-only.
    expect(one('ProtectKernelTunables')).toBeUndefined();
    // V8's JIT and the GPIO/sound devices rule these out.
    expect(one('MemoryDenyWriteExecute')).toBeUndefined();
    expect(one('PrivateDevices')).toBeUndefined();
  });

  it.skipIf(!systemdAnalyze)('passes systemd-analyze verify without a warning', async () => {
    // verify checks that ExecStart's program exists and is executable, so the copy
    // points at this machine's node and a stand-in script; everything else is as shipped.
    const dir = mkdtempSync(join(tmpdir(), 'portier-unit-'));
    tempDirs.push(dir);
    const script = join(dir, 'main.js');
    writeFileSync(script, '');
    const text = unitText.replace(/^ExecStart=\/usr\/bin\/node ((?:--[^ ]+ )*)\/opt\/portier\/dist\/portier\.mjs/m, `ExecStart=${process.execPath} $1${script}`);
    expect(text).not.toBe(unitText);
    const path = join(dir, 'portier.service');
    writeFileSync(path, text);
    const result = await promisify(execFile)('systemd-analyze', ['verify', path]).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
    );
    // Unknown keys and unparsable values are only warnings (exit 0), so stderr must be empty too.
    expect(result).toEqual({ code: 0, stderr: '' });
  });

  it.skipIf(systemdAnalyze)('systemd-analyze is not installed (Debian package "systemd"); verify skipped', () => {
    expect(systemdAnalyze).toBe(false);
  });
});
