import { describe, expect, it } from 'vitest';
import { NTP_UNIX_EPOCH_OFFSET_SECONDS, ntpFromUnixMs, ntpMiddle32 } from '../../../src/media/rtp/ntp-timestamp.js';

describe('NTP timestamps', () => {
  it('converts Unix milliseconds and takes the middle 32 bits', () => {
    expect(ntpFromUnixMs(0)).toEqual({ seconds: NTP_UNIX_EPOCH_OFFSET_SECONDS, fraction: 0 });
    expect(ntpFromUnixMs(1500)).toEqual({ seconds: NTP_UNIX_EPOCH_OFFSET_SECONDS + 1, fraction: 0x80000000 });
    expect(ntpMiddle32({ seconds: 0xe54b1c80, fraction: 0x80000000 })).toBe(0x1c808000);
  });
});
