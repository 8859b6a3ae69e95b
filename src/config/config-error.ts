import { PortierError } from '../util/portier-error.js';

/** One problem found in a configuration, with where it is. */
export interface ConfigIssue {
  /** Key path, e.g. `sip.accounts[0].transport`; '' for the document itself. */
  path: string;
  /** What is wrong, e.g. `found "udpp", expected one of udp, tcp, tls`. Never contains a secret. */
  message: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  column?: number;
}

/** Formats an issue as `file:line:col path: message`, the way compilers do, so editors can jump to it. */
export function formatIssue(issue: ConfigIssue, file?: string): string {
  let where = file ?? '';
  if (issue.line !== undefined) where += `${where ? ':' : ''}${issue.line}:${issue.column ?? 1}`;
  const head = [where, issue.path ? `${issue.path}:` : ''].filter(Boolean).join(' ');
  return head ? `${head} ${issue.message}` : issue.message;
}

/** The configuration could not be read or is invalid; `issues` lists every problem found, not just the first. */
export class ConfigError extends PortierError {
  static readonly CODE = 'PORTIER_ERR_CONFIG';
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string, options?: { cause?: unknown }) {
    const lines = issues.map((i) => formatIssue(i, file));
    const head = issues.length === 1 ? 'invalid configuration' : `invalid configuration (${issues.length} problems)`;
    super(ConfigError.CODE, `${head}:\n${lines.join('\n')}`, options);
    this.issues = issues;
    this.file = file;
  }
}
