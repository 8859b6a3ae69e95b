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
  /** The number of fields. */
  private count: number;
  /**
   * Three strings per field: its name as written, its key, and its value once read (or
   * set), undefined while only the span is known. One list rather than one per column:
   * fewer allocations per parsed message.
   */
  private strs: Array<string | undefined>;
  /**
   * First HOT_NUMS numbers: for each HOT_KEYS slot, the index of its first field at
   * [2 * slot] and of its last at [2 * slot + 1] (-1 when absent), so that the headers
   * every message is asked for are found without a search; valid while `hotValid`
   * (a change that moves fields clears it; rebuilt on use). Then three numbers per
   * field: the character offset of its line in `text` when the line may be copied as
   * it is, else -1; then the start and end of its value in `text` (start -1 once the
   * value is not the parsed one, or was never parsed). A copyable line is
   * `name: value` followed by CRLF, so it ends 2 after the value.
   */
  private nums: number[];
  private hotValid: boolean;
  /** Parsed, every line copyable, and nothing changed since (see copiesWhole). */
  private whole: boolean;
  private view: ReadonlyArray<Readonly<HeaderField>> | undefined = undefined;

  constructor(source?: Buffer, text = '', base = -1) {
    this.source = source;
    this.text = text;
    this.sourceBase = source === undefined ? -1 : base;
    this.count = 0;
    // Room for the fields of a usual message, copied from a template (one allocation each
    // instead of three or four as a list grows by push); past the count they are unused.
    this.strs = source === undefined ? [] : STRS_ROOM.slice();
    this.nums = source === undefined ? HOT_NONE.slice() : NUMS_ROOM.slice();
    this.hotValid = true;
    this.whole = false;
  }

  /**
   * Whether every field is still the line it was parsed from, each copyable as it is:
   * then the lines lie back to back in `source` from the first one to the last one.
   */
  get copiesWhole(): boolean {
    return this.whole && this.sourceBase >= 0 && this.count > 0;
  }

  /** A table of fields given in code. */
  static of(fields: Iterable<Readonly<HeaderField>>): HeaderTable {
    const t = new HeaderTable();
    for (const f of fields) t.push(f.name, f.value);
    return t;
  }

  /** Parser: a table to be filled with addSpan/push, which keeps track of whether every line may be copied. */
  static forParse(source: Buffer, text: string, base: number): HeaderTable {
    const t = new HeaderTable(source, text, base);
    t.whole = true;
    return t;
  }

  get length(): number {
    return this.count;
  }

  key(i: number): string {
    return this.strs[3 * i + 1]!;
  }

  name(i: number): string {
    return this.strs[3 * i]!;
  }

  value(i: number): string {
    let v = this.strs[3 * i + 2];
    if (v === undefined) {
      const o = HOT_NUMS + 3 * i;
      v = this.text.slice(this.nums[o + 1], this.nums[o + 2]);
      this.strs[3 * i + 2] = v;
    }
    return v;
  }

  /** The length of field i's value, without making the value string if it has not been made. */
  valueLength(i: number): number {
    const v = this.strs[3 * i + 2];
    if (v !== undefined) return v.length;
    const o = HOT_NUMS + 3 * i;
    return this.nums[o + 2]! - this.nums[o + 1]!;
  }

  /** Index of the first field whose key has HOT_KEYS slot `slot`, or -1. */
  first(slot: number): number {
    if (!this.hotValid) this.rebuildHot();
    return this.nums[2 * slot]!;
  }

  /** Index of the last field whose key has HOT_KEYS slot `slot`, or -1. */
  last(slot: number): number {
    if (!this.hotValid) this.rebuildHot();
    return this.nums[2 * slot + 1]!;
  }

  /** Index of the first field with this key at or after `from`, or -1. */
  indexOf(key: string, from = 0): number {
    const strs = this.strs;
    for (let i = from; i < this.count; i++) if (strs[3 * i + 1] === key) return i;
    return -1;
  }

  /** Byte offset in `source` of field i's line when it may be copied unchanged, else -1. */
  lineStart(i: number): number {
    const s = this.nums[HOT_NUMS + 3 * i]!;
    return s < 0 || this.sourceBase < 0 ? -1 : this.sourceBase + s;
  }

  /**
   * Byte offset in `source` of field i's value while it is the value parsed from an
   * all-ASCII head (so that the byte scanners may read it there), else -1.
   */
  sourceValueStart(i: number): number {
    const s = this.nums[HOT_NUMS + 3 * i + 1]!;
    return s < 0 || this.sourceBase < 0 ? -1 : this.sourceBase + s;
  }

  /** Byte offset in `source` just past field i's value; meaningful only when sourceValueStart(i) >= 0. */
  sourceValueEnd(i: number): number {
    return this.sourceBase + this.nums[HOT_NUMS + 3 * i + 2]!;
  }

  /** Byte offset in `source` just past field i's CRLF; meaningful only when lineStart(i) >= 0. */
  lineEnd(i: number): number {
    return this.sourceBase + this.nums[HOT_NUMS + 3 * i + 2]! + 2;
  }

  /**
   * Parser: a field whose value is `text[valueStart, valueEnd)`, its line copyable from
   * `lineStart` (or -1); `slot` is the key's HOT_KEYS slot or -1.
   */
  addSpan(name: string, key: string, slot: number, lineStart: number, valueStart: number, valueEnd: number): void {
    this.append(name, key, slot, undefined, lineStart, valueStart, valueEnd);
  }

  /** Appends a field that is encoded from its text. */
  push(name: string, value: string): void {
    const key = headerKey(name);
    this.append(name, key, hotSlot(key), value, -1, -1, 0);
    this.view = undefined;
    this.whole = false;
  }

  /** Inserts a field before field i. */
  insert(i: number, name: string, value: string): void {
    this.strs.splice(3 * i, 0, name, headerKey(name), value);
    this.nums.splice(HOT_NUMS + 3 * i, 0, -1, -1, 0);
    this.count++;
    this.view = undefined;
    this.hotValid = false;
    this.whole = false;
  }

  /** Gives field i a new value, keeping its name and place. */
  replace(i: number, value: string): void {
    this.strs[3 * i + 2] = value;
    this.nums[HOT_NUMS + 3 * i] = -1;
    this.nums[HOT_NUMS + 3 * i + 1] = -1;
    this.view = undefined;
    this.whole = false;
  }

  removeAt(i: number): void {
    this.strs.splice(3 * i, 3);
    this.nums.splice(HOT_NUMS + 3 * i, 3);
    this.count--;
    this.view = undefined;
    this.hotValid = false;
    this.whole = false;
  }

  /** Parser: no line may be copied (the header section is not plain ASCII). */
  neverCopy(): void {
    this.sourceBase = -1;
    this.whole = false;
  }

  /** Parser: field i must be encoded from its text even though it is unchanged. */
  forgetLine(i: number): void {
    this.nums[HOT_NUMS + 3 * i] = -1;
    this.whole = false;
  }

  /** The fields as frozen objects, built on first use after a change. */
  fields(): ReadonlyArray<Readonly<HeaderField>> {
    let view = this.view;
    if (view === undefined) {
      const list: Array<Readonly<HeaderField>> = [];
      for (let i = 0; i < this.count; i++) list.push(Object.freeze({ name: this.name(i), value: this.value(i) }));
      view = Object.freeze(list);
      this.view = view;
    }
    return view;
  }

  /** An independent copy; it shares the (never written) source bytes. */
  clone(): HeaderTable {
    const copy = new HeaderTable(this.source, this.text, this.base);
    copy.count = this.count;
    copy.strs = this.strs.slice(0, 3 * this.count);
    copy.nums = this.nums.slice(0, HOT_NUMS + 3 * this.count);
    copy.hotValid = this.hotValid;
    return copy;
  }

  private append(name: string, key: string, slot: number, value: string | undefined, lineStart: number, valueStart: number, valueEnd: number): void {
    const i = this.count++;
    // Written by index: the lists may have room past the count (see the constructor);
    // an index at the list's end appends.
    const strs = this.strs;
    strs[3 * i] = name;
    strs[3 * i + 1] = key;
    strs[3 * i + 2] = value;
    const nums = this.nums;
    const o = HOT_NUMS + 3 * i;
    nums[o] = lineStart;
    nums[o + 1] = valueStart;
    nums[o + 2] = valueEnd;
    if (lineStart < 0) this.whole = false;
    if (slot >= 0 && this.hotValid) {
      if (nums[2 * slot]! < 0) nums[2 * slot] = i;
      nums[2 * slot + 1] = i;
    }
  }

  private rebuildHot(): void {
    const nums = this.nums;
    for (let slot = 0; slot < HOT_KEYS.length; slot++) {
      nums[2 * slot] = nums[2 * slot + 1] = -1;
      for (let i = 0; i < this.count; i++) {
        if (this.strs[3 * i + 1] !== HOT_KEYS[slot]) continue;
        if (nums[2 * slot]! < 0) nums[2 * slot] = i;
        nums[2 * slot + 1] = i;
      }
    }
    this.hotValid = true;
  }
}

/** How many numbers at the start of `nums` hold the HOT_KEYS slots' first and last fields. */
const HOT_NUMS = 2 * HOT_KEYS.length;
const HOT_NONE: number[] = new Array<number>(HOT_NUMS).fill(-1);
/** How many fields a parsed table has room for before its lists grow: most messages have fewer. */
const ROOM_FIELDS = 16;
const STRS_ROOM: Array<string | undefined> = new Array<string | undefined>(3 * ROOM_FIELDS).fill(undefined);
const NUMS_ROOM: number[] = new Array<number>(HOT_NUMS + 3 * ROOM_FIELDS).fill(-1);
