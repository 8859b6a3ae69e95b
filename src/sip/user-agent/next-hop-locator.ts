import type { SendTarget } from '../transport/transport-types.js';

/** What the UA core needs from RFC 3263 server location: an ordered list of targets to try. */
export interface NextHopLocator {
  locate(uri: { host: string; port?: number; transport?: string; secure: boolean }): Promise<SendTarget[]>;
}
