/**
 * Peak amplitude, in 16-bit linear PCM, of a 0 dBm0 sine. G.711's full-scale sine is
 * +3.14 dBm0 (ITU-T G.711 / G.168 convention), so 0 dBm0 sits 3.14 dB below 32767.
 */
export const DBM0_REFERENCE_AMPLITUDE = 32767 * 10 ** (-3.14 / 20);

/** Peak amplitude of a sine at `dbm0` in 16-bit PCM. */
export function dbm0ToAmplitude(dbm0: number): number {
  return DBM0_REFERENCE_AMPLITUDE * 10 ** (dbm0 / 20);
}

/** Level in dBm0 of a sine with the given peak amplitude in 16-bit PCM. */
export function amplitudeToDbm0(amplitude: number): number {
  return 20 * Math.log10(amplitude / DBM0_REFERENCE_AMPLITUDE);
}
