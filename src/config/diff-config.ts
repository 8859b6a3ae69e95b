import type { ConfigSection, PortierConfig } from './portier-config.js';

/** What changed between two configurations, for applying a reload (SIGHUP) piece by piece. */
export interface ConfigDiff {
  /** Top-level sections that differ, in file order. */
  sections: ConfigSection[];
  /** Paths of the changed values, e.g. `sip.accounts[0].password`, `doors.codes`; values are never included. */
  paths: string[];
  /** Whether `section` (or one path under it, e.g. `sip.accounts`) changed. */
  changed(sectionOrPath: string): boolean;
}

/** Compares two validated configurations. */
export function diffConfig(previous: PortierConfig, next: PortierConfig): ConfigDiff {
  const paths: string[] = [];
  collect(previous, next, '', paths);
  const sections = (Object.keys(next) as ConfigSection[]).filter((s) => paths.some((p) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`)));
  return {
    sections,
    paths,
    changed: (prefix) => paths.some((p) => p === prefix || p.startsWith(`${prefix}.`) || p.startsWith(`${prefix}[`)),
  };
}

function collect(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    // A list that grew or shrank changed as a whole; same length: compare item by item.
    if (a.length !== b.length) out.push(path);
    else a.forEach((item, i) => collect(item, b[i], `${path}[${i}]`, out));
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) collect(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.push(path);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
