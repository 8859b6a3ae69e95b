import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const INSTALL = fileURLToPath(new URL('../../scripts/install-pi', import.meta.url));
const UNINSTALL = fileURLToPath(new URL('../../scripts/uninstall-pi', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A temp prefix/etc/unit/state layout; dry runs must leave it as it was. */
function layout() {
  const root = mkdtempSync(join(tmpdir(), 'portier-install-'));
  dirs.push(root);
  const env = {
    ...process.env,
    PORTIER_PREFIX: join(root, 'opt'),
    PORTIER_ETC: join(root, 'etc'),
    PORTIER_UNIT_DIR: join(root, 'unit'),
    PORTIER_STATE_DIR: join(root, 'state'),
  };
  return { root, env };
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const userExists = (() => {
  try {
    execFileSync('id', ['-u', 'portier'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('scripts/install-pi and scripts/uninstall-pi', () => {
  it('are valid bash', () => {
    for (const script of [INSTALL, UNINSTALL]) expect(() => execFileSync('bash', ['-n', script])).not.toThrow();
  });

  it('install --dry-run prints a fresh install and changes nothing', async () => {
    const { root, env } = layout();
    const r = await runScript(INSTALL, ['--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('+ apt-get update');
    expect(r.stdout).toMatch(/^\+ env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends .*\blibasound2\b.*\balsa-utils\b/m);
    expect(r.stdout).toMatch(/^\+ npm --prefix \S+ run build$/m);
    expect(lines).toContain(`+ npm --prefix ${env.PORTIER_PREFIX} ci --omit=dev --no-audit --no-fund`);
    if (userExists) expect(lines).toContain('user portier exists');
    else expect(lines).toContain('+ useradd --system --user-group --home-dir /var/lib/portier --no-create-home --shell /usr/sbin/nologin portier');
    expect(r.stdout).toMatch(/^\+ install -m 0640 -o root -g portier \S+\/src\/config\/config\.example\.yaml \S+\/etc\/config\.yaml$/m);
    expect(r.stdout).toMatch(/^\+ sed .* > \S+\/unit\/portier\.service$/m);
    expect(lines).toContain('+ systemctl enable portier.service');
    // A fresh configuration is the example: the service is not started before it was edited.
    expect(r.stdout).not.toMatch(/^\+ systemctl (re)?start/m);
    expect(r.stdout).toContain('then start the service');
    // Order: build, copy, production install, then the unit.
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/run build$/)).toBeLessThan(at(/^\+ cp -R /));
    expect(at(/^\+ cp -R /)).toBeLessThan(at(/ci --omit=dev/));
    expect(at(/ci --omit=dev/)).toBeLessThan(at(/systemctl enable/));
    expect(readdirSync(root)).toEqual([]);
  });

  it('install --dry-run keeps an existing configuration, checks it and restarts', async () => {
    const { env } = layout();
    mkdirSync(env.PORTIER_ETC!);
    writeFileSync(join(env.PORTIER_ETC!, 'config.yaml'), 'logging: { level: info }\n');
    const r = await runScript(INSTALL, ['--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`keeping ${env.PORTIER_ETC}/config.yaml`);
    expect(r.stdout).not.toMatch(/config\.example\.yaml/);
    expect(r.stdout).toMatch(/^\+ sudo -u portier \S+ \S+\/dist\/portier\.mjs check --config \S+\/config\.yaml$/m);
    expect(r.stdout).toMatch(/^\+ systemctl restart portier\.service$/m);
  });

  it('uninstall --dry-run keeps the configuration unless --purge', async () => {
    const { root, env } = layout();
    const keep = await runScript(UNINSTALL, ['--dry-run'], env);
    expect(keep.code, keep.stderr).toBe(0);
    expect(keep.stdout).toContain('+ systemctl disable --now portier.service');
    expect(keep.stdout).toContain(`+ rm -f ${env.PORTIER_UNIT_DIR}/portier.service`);
    expect(keep.stdout).toContain(`+ rm -rf ${env.PORTIER_PREFIX}`);
    expect(keep.stdout).not.toContain(`rm -rf ${env.PORTIER_ETC}`);
    expect(keep.stdout).toContain('--purge removes them');

    const purge = await runScript(UNINSTALL, ['--dry-run', '--purge'], env);
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toContain(`+ rm -rf ${env.PORTIER_ETC} ${env.PORTIER_STATE_DIR}`);
    if (userExists) expect(purge.stdout).toContain('+ userdel portier');
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(env.PORTIER_PREFIX!)).toBe(false);
  });

  it('refuse unknown options', async () => {
    const { env } = layout();
    expect((await runScript(INSTALL, ['--bogus'], env)).code).toBe(2);
    expect((await runScript(UNINSTALL, ['--bogus'], env)).code).toBe(2);
  });
});
