import type { SipRequest } from '../messages/index.js';
import { formatSessionExpires, readMinSE, readSessionExpires, type Refresher } from './session-expires.js';
import type { SessionTimerOptions } from './session-options.js';

/** The session-timer part of a 2xx to a request (RFC 4028 §9), or the 422 it must get instead. */
export type TimerVerdict =
  | { reject: 422; minSE: number }
  | { headers: Array<[string, string]>; interval?: number; weRefresh?: boolean };

/**
 * The session timer for a 2xx we send to an INVITE, re-INVITE or UPDATE (RFC 4028 §9): 422
 * when the requested interval is below our Min-SE (§8.1); else the requested interval with the
 * requested refresher (the UAC when it said nothing but supports timers), or, when the request
 * asked for none, our interval with us refreshing — that works whatever the peer supports.
 */
export function negotiateTimerForRequest(request: SipRequest, cfg: Required<SessionTimerOptions> | false): TimerVerdict {
  if (!cfg) return { headers: [] };
  const asked = readSessionExpires(request);
  if (asked && asked.interval < cfg.minSE) return { reject: 422, minSE: cfg.minSE };
  let uacSupports = false;
  try {
    uacSupports = request.supported.includes('timer');
  } catch {
    uacSupports = false;
  }
  let interval: number;
  let refresher: Refresher;
  if (asked) {
    interval = asked.interval;
    // §9: "If the UAC did not support the extension [...] the refresher parameter MUST be 'uas'."
    refresher = uacSupports ? (asked.refresher ?? 'uac') : 'uas';
  } else {
    interval = Math.max(cfg.expires, readMinSE(request) ?? 0);
    refresher = 'uas';
  }
  const headers: Array<[string, string]> = [['Session-Expires', formatSessionExpires({ interval, refresher })]];
  // §9: "If the refresher parameter [...] has a value of 'uac', the UAS MUST place a Require header field [...] 'timer'".
  if (refresher === 'uac') headers.push(['Require', 'timer']);
  return { headers, interval, weRefresh: refresher === 'uas' };
}
