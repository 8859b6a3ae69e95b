import type { HeaderField } from './header-field.js';
import { HOT_KEYS, headerKey, hotSlot } from './header-names.js';

/**
 * The header fields of one message in wire order: each with its name as written,
 * its lookup key (lower-case long form, see headerKey) and its value.
 *
 * A table cut from received bytes keeps those bytes and, per field, where its line
 * lies in them. A value is sliced out of the decoded header text only when first read
 * (most headers of most messages never are), and a line that was never changed is
 * copied byte for byte when the message is serialized instead of being encoded again,
 * the way Kamailio keeps the received buffer and applies a list of changes. Only lines
 * that a fresh encoding would reproduce exactly are marked copyable (see the parser),
 * so either way serialize() writes the same bytes. Changes go through the methods
 * below, which drop the line's copy mark; there is no other way to change a field.
 *
 * Memory: such a table keeps its source Buffer alive as long as the message lives. A
 * datagram is its own exact-size allocation (≤ 64 KiB); the stream framer copies each
 * message into an exact-size buffer of its own, so neither pins a larger receive buffer.
 */
export class HeaderTable {
  /** The bytes the fields were cut from; undefined for a table built in code. */
  readonly source: Buffer | undefined;
  /** The decoded header section that value offsets refer to ('' when built in code). */
  readonly text: string;
  /**
   * Byte offset in `source` of `text[0]`, or -1 when character offsets are not byte
   * offsets (a header section with non-ASCII characters): nothing is copied then.
   */
  get base(): number {
    return this.sourceBase;
  }
  private sourceBase: number;
  private readonly names: string[];
  private readonly keys: string[];
  /** Values read so far (or set); undefined where only the span is known. */
  private readonly values: Array<string | undefined>;
  /**
   * Three numbers per field: the character offset of its line in `text` when the line
   * may be copied as it is, else -1; then the start and end of its value in `text`. A
   * copyable line is `name: value` followed by CRLF, so it ends 2 after the value.
   */
  private readonly spans: number[];
  private view: ReadonlyArray<Readonly<HeaderField>> | undefined = undefined;
  /**
   * For each HOT_KEYS slot, the index of its first field at [2 * slot] and of its last at
   * [2 * slot + 1] (-1 when absent), so that the headers every message is asked for are
   * found without a search. Undefined after a change that moved fields: rebuilt on use.
   */
  private hot: number[] | undefined;

  constructor(source?: Buffer, text = '', base = -1, names: string[] = [], keys: string[] = [], values: Array<string | undefined> = [], spans: number[] = []) {
    this.source = source;
    this.text = text;
    this.sourceBase = source === undefined ? -1 : base;
    this.names = names;
    this.keys = keys;
    this.values = values;
    this.spans = spans;
    this.hot = keys.length === 0 ? [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1] : undefined;
  }

  /** A table of fields given in code. */
  static of(fields: Iterable<Readonly<HeaderField>>): HeaderTable {
    const t = new HeaderTable();
    for (const f of fields) t.push(f.name, f.value);
    return t;
  }

  get length(): number {
    return this.keys.length;
  }

  key(i: number): string {
    return this.keys[i]!;
  }

  name(i: number): string {
    return this.names[i]!;
  }

  value(i: number): string {
    let v = this.values[i];
    if (v === undefined) {
      v = this.text.slice(this.spans[3 * i + 1], this.spans[3 * i + 2]);
      this.values[i] = v;
    }
    return v;
  }

  /** Index of the first field whose key has HOT_KEYS slot `slot`, or -1. */
  first(slot: number): number {
    return (this.hot ?? this.rebuildHot())[2 * slot]!;
  }

  /** Index of the last field whose key has HOT_KEYS slot `slot`, or -1. */
  last(slot: number): number {
    return (this.hot ?? this.rebuildHot())[2 * slot + 1]!;
  }

  /** Index of the first field with this key at or after `from`, or -1. */
  indexOf(key: string, from = 0): number {
    return this.keys.indexOf(key, from);
  }

  /** Byte offset in `source` of field i's line when it may be copied unchanged, else -1. */
  lineStart(i: number): number {
    const s = this.spans[3 * i]!;
    return s < 0 || this.sourceBase < 0 ? -1 : this.sourceBase + s;
  }

  /** Byte offset in `source` just past field i's CRLF; meaningful only when lineStart(i) >= 0. */
  lineEnd(i: number): number {
    return this.sourceBase + this.spans[3 * i + 2]! + 2;
  }

  /**
   * Parser: a field whose value is `text[valueStart, valueEnd)`, its line copyable from
   * `lineStart` (or -1); `slot` is the key's HOT_KEYS slot or -1.
   */
  addSpan(name: string, key: string, slot: number, lineStart: number, valueStart: number, valueEnd: number): void {
    if (slot >= 0) {
      const hot = this.hot ?? this.rebuildHot();
      const i = this.keys.length;
      if (hot[2 * slot]! < 0) hot[2 * slot] = i;
      hot[2 * slot + 1] = i;
    }
    this.names.push(name);
    this.keys.push(key);
    this.values.push(undefined);
    this.spans.push(lineStart, valueStart, valueEnd);
  }

  /** Appends a field that is encoded from its text. */
  push(name: string, value: string): void {
    const key = headerKey(name);
    const slot = hotSlot(key);
    if (slot >= 0 && this.hot !== undefined) {
      if (this.hot[2 * slot]! < 0) this.hot[2 * slot] = this.keys.length;
      this.hot[2 * slot + 1] = this.keys.length;
    }
    this.names.push(name);
    this.keys.push(key);
    this.values.push(value);
    this.spans.push(-1, 0, 0);
    this.view = undefined;
  }

  /** Inserts a field before field i. */
  insert(i: number, name: string, value: string): void {
    this.names.splice(i, 0, name);
    this.keys.splice(i, 0, headerKey(name));
    this.values.splice(i, 0, value);
    this.spans.splice(3 * i, 0, -1, 0, 0);
    this.view = undefined;
    this.hot = undefined;
  }

  /** Gives field i a new value, keeping its name and place. */
  replace(i: number, value: string): void {
    this.values[i] = value;
    this.spans[3 * i] = -1;
    this.view = undefined;
  }

  removeAt(i: number): void {
    this.names.splice(i, 1);
    this.keys.splice(i, 1);
    this.values.splice(i, 1);
    this.spans.splice(3 * i, 3);
    this.view = undefined;
    this.hot = undefined;
  }

  /** Parser: no line may be copied (the header section is not plain ASCII). */
  neverCopy(): void {
    this.sourceBase = -1;
  }

  /** Parser: field i must be encoded from its text even though it is unchanged. */
  forgetLine(i: number): void {
    this.spans[3 * i] = -1;
  }

  /** The fields as frozen objects, built on first use after a change. */
  fields(): ReadonlyArray<Readonly<HeaderField>> {
    let view = this.view;
    if (view === undefined) {
      const list: Array<Readonly<HeaderField>> = [];
      for (let i = 0; i < this.keys.length; i++) list.push(Object.freeze({ name: this.names[i]!, value: this.value(i) }));
      view = Object.freeze(list);
      this.view = view;
    }
    return view;
  }

  private rebuildHot(): number[] {
    const hot = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];
    for (let slot = 0; slot < HOT_KEYS.length; slot++) {
      hot[2 * slot] = this.keys.indexOf(HOT_KEYS[slot]!);
      hot[2 * slot + 1] = this.keys.lastIndexOf(HOT_KEYS[slot]!);
    }
    this.hot = hot;
    return hot;
  }

  /** An independent copy; it shares the (never written) source bytes. */
  clone(): HeaderTable {
    return new HeaderTable(this.source, this.text, this.base, this.names.slice(), this.keys.slice(), this.values.slice(), this.spans.slice());
  }
}
