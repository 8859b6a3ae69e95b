/** A parsed RAck header (RFC 3262 §7.2): `response-num CSeq-num Method`. */
export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

/** Parses an RAck value; undefined when malformed. */
export function parseRAck(value: string | undefined): RAck | undefined {
  const m = value === undefined ? null : /^\s*(\d+)\s+(\d+)\s+([A-Za-z]+)\s*$/.exec(value);
  if (!m) return undefined;
  return { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3]!.toUpperCase() };
}

/** Reads RSeq (RFC 3262 §7.1); undefined when absent or malformed. */
export function parseRSeq(value: string | undefined): number | undefined {
  const v = value?.trim();
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
