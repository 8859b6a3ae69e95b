/** Counters of the transport layer, for diagnostics and tests. */
export interface TransportStats {
  /** SIP messages parsed and passed up (requests and responses). */
  messagesReceived: number;
  /** SIP messages written to a socket (requests, responses, stateless 400s). */
  messagesSent: number;
  /** Inputs the parser or the stream framer rejected. */
  parseErrors: number;
  /** Malformed requests answered statelessly with 400. */
  badRequestsAnswered: number;
  /** Inputs dropped without reaching the layer above (junk, over-size, foreign responses…). */
  dropped: number;
  /** Responses whose top Via sent-by was not ours (RFC 3261 §18.1.2); also counted in `dropped`. */
  responsesNotOurs: number;
  /** Datagrams over the size cap; also counted in `dropped`. */
  oversizeDatagrams: number;
  keepAlivesSent: number;
  pingsAnswered: number;
  pongsReceived: number;
  connectionsOpened: number;
  connectionsAccepted: number;
  connectionsClosed: number;
  /** Connections closed for garbage or an over-size message. */
  connectionsClosedForBadInput: number;
  /** Server-accepted connections closed for idleness. */
  connectionsClosedIdle: number;
  /** Accepted connections closed because a message (or the first keep-alive) did not complete in time. */
  connectionsClosedSlow: number;
}

/** A zeroed stats object. */
export function createTransportStats(): TransportStats {
  return {
    messagesReceived: 0,
    messagesSent: 0,
    parseErrors: 0,
    badRequestsAnswered: 0,
    dropped: 0,
    responsesNotOurs: 0,
    oversizeDatagrams: 0,
    keepAlivesSent: 0,
    pingsAnswered: 0,
    pongsReceived: 0,
    connectionsOpened: 0,
    connectionsAccepted: 0,
    connectionsClosed: 0,
    connectionsClosedForBadInput: 0,
    connectionsClosedIdle: 0,
    connectionsClosedSlow: 0,
  };
}
