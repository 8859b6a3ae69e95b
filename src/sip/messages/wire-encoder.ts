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
  const worst = head.length * 3 + body.length;
  if (worst > MAX_SLAB_MESSAGE) {
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headBytes + body.length);
    out.write(head, 0, 'utf8');
    out.set(body, headBytes);
    return out;
  }
  if (used + worst > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    used = 0;
  }
  const start = used;
  const headBytes = slab.write(head, start, 'utf8');
  if (body.length > 0) slab.set(body, start + headBytes);
  used = start + headBytes + body.length;
  return slab.subarray(start, used);
}
