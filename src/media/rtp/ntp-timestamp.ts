/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_EPOCH_OFFSET_SECONDS = 2_208_988_800;

/** A 64-bit NTP timestamp as two unsigned 32-bit halves (RFC 3550 §4), kept as numbers to avoid bigint. */
export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/** Converts Unix milliseconds (e.g. `Date.now()`) to an NTP timestamp. */
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  const wholeSeconds = Math.floor(unixMs / 1000);
  const remainderMs = unixMs - wholeSeconds * 1000;
  let fraction = Math.round((remainderMs / 1000) * 2 ** 32);
  let seconds = wholeSeconds + NTP_UNIX_EPOCH_OFFSET_SECONDS;
  if (fraction >= 2 ** 32) {
    fraction -= 2 ** 32;
    seconds += 1;
  }
  return { seconds: seconds >>> 0, fraction: fraction >>> 0 };
}

/**
 * The middle 32 bits of an NTP timestamp, the "compact" form used for LSR
 * (RFC 3550 §6.4.1): low 16 bits of the seconds, high 16 bits of the fraction.
 */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}
