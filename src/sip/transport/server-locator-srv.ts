import type { SrvRecord } from './server-locator-resolver.js';

/**
 * Orders SRV records as RFC 2782 prescribes: ascending priority, and within one priority a weighted
 * random selection (running sum of weights, first record whose running sum reaches a random number),
 * repeated until every record is placed. A lone target "." means the service is decidedly not available
 * there (RFC 2782) and yields nothing. `random` returns a number in [0, 1) (Math.random by default).
 *
 * Deviation: RFC 2782 draws from [0, sum] inclusive, which gives the first record one extra chance in
 * sum+1 and weight-0 records a chance only through that quirk. We draw from [1, sum] so that selection is
 * exactly proportional to weight, and weight-0 records follow the weighted ones (in random order), which is
 * what the RFC's "very small chance of being selected" intends.
 */
export function orderSrvRecords(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  const priorities = [...new Set(usable.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    const pool = usable.filter((r) => r.priority === priority);
    while (pool.length > 0) {
      const total = pool.reduce((sum, r) => sum + Math.max(0, r.weight), 0);
      let index: number;
      if (total === 0) {
        index = Math.min(pool.length - 1, Math.floor(random() * pool.length));
      } else {
        const pick = 1 + Math.min(total - 1, Math.floor(random() * total));
        let running = 0;
        index = pool.findIndex((r) => (running += Math.max(0, r.weight)) >= pick);
      }
      ordered.push(pool.splice(index, 1)[0]!);
    }
  }
  return ordered;
}
