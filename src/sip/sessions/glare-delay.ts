/**
 * The wait before re-trying a re-INVITE or UPDATE that got 491 (RFC 3261 §14.1): "If the UAC
 * is the owner of the Call-ID of the dialog ID (meaning it generated the value), T has a
 * randomly chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not the
 * owner of the Call-ID of the dialog ID, T has a randomly chosen value of between 0 and 2
 * seconds in units of 10 ms." Returns milliseconds.
 */
export function glareRetryDelay(ownsCallId: boolean, random: () => number = Math.random): number {
  const [min, max] = ownsCallId ? [210, 400] : [0, 200];
  const steps = Math.floor(random() * (max - min + 1));
  return (min + Math.min(steps, max - min)) * 10;
}
