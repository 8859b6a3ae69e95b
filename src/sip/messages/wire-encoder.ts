/**
 * Bytes of each shared slab that serialized messages are carved from. Node's own
 * pool (Buffer.from, allocUnsafe) is 8 KiB, so at SIP message sizes it allocates and
 * later collects a fresh ArrayBuffer every dozen messages; that churn cost more than
 * the encoding itself. The price: a message Buffer kept alive (a transaction keeping
 * its request for retransmission) keeps its whole slab alive, 64 KiB at most.
 */
const SLAB_BYTES = 64 * 1024;
/** Larger messages get a buffer of their own rather than wasting the rest of a slab. */
const MAX_SLAB_MESSAGE = SLAB_BYTES / 4;

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let used = 0;

/** Encodes a message head (start line and header lines, UTF-8) followed by its body bytes into one Buffer. */
export function encodeWire(head: string, body: Buffer): Buffer {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit; reserving that avoids measuring the head first.
  beginWire(head.length * 3 + body.length);
  putString(head);
  if (body.length > 0) putBytes(body, 0, body.length);
  return endWire();
}

// The piecewise writer below fills one reservation at a time. It is module state, not
// an object, because serialize() runs synchronously from start to end: no other
// message can be written in between, and no allocation is spent on a writer.
let target: Buffer = slab;
let start = 0;
let pos = 0;
let limit = 0;
let writing = false;

/**
 * Starts a message of at most `maxBytes` bytes, to be filled with putString/putBytes
 * and taken with endWire. Small messages are carved from the shared slab.
 */
export function beginWire(maxBytes: number): void {
  // A nested message would be carved from the same bytes as the one in progress.
  if (writing) throw new Error('wire encoder: a message is already being written');
  writing = true;
  if (maxBytes > MAX_SLAB_MESSAGE) {
    target = Buffer.allocUnsafe(maxBytes);
    start = 0;
  } else {
    if (used + maxBytes > SLAB_BYTES) {
      slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      used = 0;
    }
    target = slab;
    start = used;
  }
  pos = start;
  limit = start + maxBytes;
}

/** Appends a string as UTF-8; the reservation must allow 3 bytes per UTF-16 code unit. */
export function putString(s: string): void {
  if (s.length === 0) return;
  pos += target.write(s, pos, limit - pos, 'utf8');
}

/** Appends `src[from, to)`. */
export function putBytes(src: Uint8Array, from: number, to: number): void {
  if (pos + (to - from) > limit) throw new Error('wire encoder: reservation too small');
  // A plain Uint8Array view is cheaper to make than a Buffer (subarray).
  target.set(from === 0 && to === src.length ? src : new Uint8Array(src.buffer, src.byteOffset + from, to - from), pos);
  pos += to - from;
}

/** Gives up the message in progress (its writer threw); the slab space is reused. */
export function abortWire(): void {
  writing = false;
}

/** The bytes written since beginWire. */
export function endWire(): Buffer {
  writing = false;
  if (target === slab) {
    used = pos;
    return slab.subarray(start, pos);
  }
  return pos === target.length ? target : target.subarray(0, pos);
}
