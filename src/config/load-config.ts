import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ConfigError } from './config-error.js';
import type { PortierConfig } from './portier-config.js';
import type { PathSegment } from './schema.js';
import { validateConfig, type ValidateOptions } from './validate-config.js';

/** Where the configuration lives unless told otherwise. */
export const DEFAULT_CONFIG_PATH = '/etc/portier/config.yaml';

export interface LoadConfigOptions extends Pick<ValidateOptions, 'env' | 'readSecretFile'> {
  /** A missing file gives the defaults instead of an error (for the default path only). */
  optional?: boolean;
}

/** Reads, parses and validates the YAML configuration file; throws `ConfigError`. */
export async function loadConfig(path: string = DEFAULT_CONFIG_PATH, options: LoadConfigOptions = {}): Promise<PortierConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.optional) return validateConfig(undefined, options);
    throw new ConfigError([{ path: '', message: `cannot read the configuration file (${code ?? String(error)})` }], path, { cause: error });
  }
  return parseConfigText(text, path, options);
}

/** Parses and validates configuration text; `file` names it in messages. */
export function parseConfigText(text: string, file = 'config.yaml', options: Pick<ValidateOptions, 'env' | 'readSecretFile'> = {}): PortierConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: '',
        // The library appends a source excerpt, which could show a secret; keep only the description.
        message: `YAML syntax error: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim()}`,
        ...position(lineCounter, e.pos[0]),
      })),
      file,
    );
  }
  const locator = new YamlLocator(doc, lineCounter);
  return validateConfig(doc.toJS({ maxAliasCount: 100 }), {
    ...options,
    file,
    locate: (path, at) => locator.locate(path, at),
    sourceText: (path) => locator.sourceText(path),
  });
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Maps key paths back to nodes of the parsed document, for positions and original scalar text. */
class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The position of the key or value at `path`, or of its nearest existing ancestor. */
  locate(path: readonly PathSegment[], at: 'key' | 'value'): { line: number; column: number } | undefined {
    const found = this.walk(path);
    const node = found.complete && at === 'key' && found.key ? found.key : found.node;
    return position(this.lineCounter, node?.range?.[0] ?? 0);
  }

  /** The text of a plain scalar as written, e.g. `0123` that YAML read as the number 123. */
  sourceText(path: readonly PathSegment[]): string | undefined {
    const found = this.walk(path);
    if (!found.complete || !isScalar(found.node) || found.node.type !== 'PLAIN') return undefined;
    return found.node.source;
  }

  private walk(path: readonly PathSegment[]): { node: YamlNode | undefined; key?: YamlNode; complete: boolean } {
    let node = this.deref(this.doc.contents ?? undefined);
    let key: YamlNode | undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { node, complete: false };
        key = pair.key as YamlNode;
        const value = this.deref(pair.value as YamlNode | null);
        // `key:` with nothing after it has no useful value position; point at the key.
        node = value?.range && value.range[0] < value.range[1] ? value : key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = this.deref(node.items[seg] as YamlNode | undefined);
        if (!item) return { node, complete: false };
        key = undefined;
        node = item;
      } else {
        return { node, complete: false };
      }
    }
    return { node, key, complete: true };
  }

  private deref(node: YamlNode | null | undefined): YamlNode | undefined {
    if (isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? node;
    return node ?? undefined;
  }
}
