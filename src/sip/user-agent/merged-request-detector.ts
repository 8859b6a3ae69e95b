import type { SipRequest } from '../messages/index.js';
import type { ServerTransaction } from '../transactions/server-transaction.js';

/** Options of a MergedRequestDetector. */
export interface MergedRequestDetectorOptions {
  /** Most requests remembered; the oldest is forgotten first (default 256). */
  maxEntries?: number;
  /** A request is forgotten this long after it arrived even if its transaction lives on, in ms (default 32 000). */
  ttlMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface Entry {
  transaction: ServerTransaction;
  expiresAt: number;
}

/**
 * Recognises a request that reached us twice, forked back through two paths (RFC 3261 §8.2.2.2):
 * "If the From tag, Call-ID, and CSeq exactly match those associated with an ongoing transaction,
 * but the request does not match that transaction (based on the matching rules in Section 17.2.3),
 * the UAS core SHOULD generate a 482 (Loop Detected) response". Bounded in size and time; a
 * transaction that ended no longer counts, so nothing needs closing.
 */
export class MergedRequestDetector {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: MergedRequestDetectorOptions = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 256);
    this.ttlMs = options.ttlMs ?? 32_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Whether `request` (no To tag) copies one that another ongoing server transaction is processing;
   * if not, remembers it as processed by `transaction`.
   */
  isMerged(request: SipRequest, transaction: ServerTransaction): boolean {
    const key = mergeKey(request);
    // An RFC 2543 request has no From tag: the three fields do not identify it.
    if (key === undefined) return false;
    const now = this.now();
    const found = this.entries.get(key);
    if (found && found.transaction !== transaction && !found.transaction.terminated && found.expiresAt > now) return true;
    this.entries.delete(key);
    this.entries.set(key, { transaction, expiresAt: now + this.ttlMs });
    this.prune(now);
    return false;
  }

  /** How many requests are remembered (diagnostics, tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }

  /** Insertion order is arrival order and the lifetime is fixed, so expired entries sit at the front. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.expiresAt > now && !entry.transaction.terminated) break;
      this.entries.delete(key);
    }
  }
}

function mergeKey(request: SipRequest): string | undefined {
  const fromTag = request.from.tag;
  if (fromTag === undefined) return undefined;
  const cseq = request.cseq;
  // join() makes one flat string; a template makes a tree of cons strings that the Map keeps.
  return [fromTag, request.callId, cseq.seq, cseq.method].join('\n');
}
