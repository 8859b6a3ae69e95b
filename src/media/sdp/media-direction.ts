/** An SDP direction attribute (RFC 4566 §6, RFC 3264 §5.1). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Whether a side sends and receives. */
export interface DirectionFlags {
  send: boolean;
  recv: boolean;
}

/** The send/receive flags a direction attribute grants to the side that wrote it. */
export function directionFlags(direction: MediaDirection): DirectionFlags {
  return { send: direction === 'sendrecv' || direction === 'sendonly', recv: direction === 'sendrecv' || direction === 'recvonly' };
}

/** The direction attribute for the given flags. */
export function directionFromFlags(flags: DirectionFlags): MediaDirection {
  if (flags.send) return flags.recv ? 'sendrecv' : 'sendonly';
  return flags.recv ? 'recvonly' : 'inactive';
}

/**
 * The direction to answer with (RFC 3264 §6.1): "If a stream is offered as
 * sendonly, the corresponding stream MUST be marked as recvonly or inactive in
 * the answer", and so on — we send only if they receive and we want to send,
 * and receive only if they send and we want to receive.
 */
export function answerDirection(offered: MediaDirection, local: MediaDirection): MediaDirection {
  const remote = directionFlags(offered);
  const ours = directionFlags(local);
  return directionFromFlags({ send: ours.send && remote.recv, recv: ours.recv && remote.send });
}

/** Reads a direction attribute value; undefined for anything else. */
export function parseDirection(value: unknown): MediaDirection | undefined {
  return value === 'sendrecv' || value === 'sendonly' || value === 'recvonly' || value === 'inactive' ? value : undefined;
}
