/** Builds a buffer from spaced hex ("80 00 01"), the way packets are written in RFC examples. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}
