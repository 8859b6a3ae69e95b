/** A header field as received (name as written, value unfolded). */
export interface IncomingHeader {
  name: string;
  value: string;
}

/** A request by the caller to be answered without anyone at the door touching anything. */
export interface IntercomHint {
  source: 'call-info' | 'alert-info' | 'answer-mode';
  /** Seconds the caller asks to wait before answering. */
  delaySeconds: number;
}

/** Longest delay taken from a hint; a larger value is clamped (a typo should not leave a call ringing for hours). */
export const MAX_HINT_DELAY_SECONDS = 60;

/**
 * Finds the intercom auto-answer hints PBXs and phones send: `Call-Info: <uri>;answer-after=N`
 * (draft-ietf-sip-answeralert, as used by Polycom/Snom/Asterisk), `Alert-Info: <uri>;info=alert-autoanswer`
 * (optionally `;delay=N`) or `<uri>;answer-after=N`, and `Answer-Mode: Auto` / `Priv-Answer-Mode: Auto`
 * (RFC 5373 §5, §6). When several are present the shortest delay wins.
 */
export function findIntercomHint(headers: readonly IncomingHeader[]): IntercomHint | undefined {
  let best: IntercomHint | undefined;
  const offer = (hint: IntercomHint) => {
    if (!best || hint.delaySeconds < best.delaySeconds) best = hint;
  };
  for (const header of headers) {
    const name = header.name.trim().toLowerCase();
    if (name === 'call-info' || name === 'alert-info') {
      for (const element of splitList(header.value)) {
        const params = elementParams(element);
        const source = name === 'call-info' ? 'call-info' : 'alert-info';
        if (params.has('answer-after')) offer({ source, delaySeconds: seconds(params.get('answer-after')) });
        else if (source === 'alert-info' && params.get('info')?.toLowerCase() === 'alert-autoanswer') {
          offer({ source, delaySeconds: seconds(params.get('delay')) });
        }
      }
    } else if (name === 'answer-mode' || name === 'priv-answer-mode') {
      // RFC 5373 §5: "Auto" asks the UAS to answer without user intervention; "Manual" asks it not to.
      const mode = header.value.split(';')[0]!.trim().toLowerCase();
      if (mode === 'auto') offer({ source: 'answer-mode', delaySeconds: 0 });
    }
  }
  return best;
}

/** Splits a header value at commas outside `<…>` and quotes. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && c === ',') {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Parameters after the `<uri>` of one element (or of the whole element when it has no URI). */
function elementParams(element: string): Map<string, string | undefined> {
  const close = element.lastIndexOf('>');
  const tail = close >= 0 ? element.slice(close + 1) : element;
  const params = new Map<string, string | undefined>();
  for (const part of tail.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key) params.set(key, eq < 0 ? undefined : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params;
}

function seconds(value: string | undefined): number {
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;
  return Math.min(n, MAX_HINT_DELAY_SECONDS);
}
