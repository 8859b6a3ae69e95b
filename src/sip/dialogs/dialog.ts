import { NameAddr, SipRequest, SipUri, type SipResponse, type Uri } from '../messages/index.js';
import { DialogCreationError } from './dialog-errors.js';
import { dialogKey } from './dialog-key.js';
import { assertDialogTransition, DialogState } from './dialog-state.js';

/** How an in-dialog request is built (§12.2.1.1). */
export interface InDialogRequestInit {
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  /** The CSeq number to use instead of the next local one (the ACK to a 2xx reuses the INVITE's). */
  cseq?: number;
}

/** What a dialog says about an incoming in-dialog request (§12.2.2). */
export type DialogRequestVerdict = { accept: true } | { accept: false; status: 500; reason: string };

/**
 * The state of one RFC 3261 §12 dialog: its ID, both CSeq spaces, both URIs, the remote
 * target and the route set. Builds in-dialog requests (§12.2.1.1) and checks incoming
 * ones (§12.2.2). It sends nothing; the session usage on top of it does.
 *
 * Strict routing (a first route without `lr`, §12.2.1.1's second case) is not supported:
 * such a route set is used as if it were loose, with the remote target in the Request-URI.
 * Every proxy since RFC 3261 loose-routes; RFC 2543-only proxies are out of scope.
 */
export class Dialog {
  private currentState: DialogState;
  /** Local sequence number: the CSeq of the last request we sent in this dialog. */
  localSeq: number;
  /** Remote sequence number; undefined until the peer sends a request (§12.1.2: "empty"). */
  remoteSeq: number | undefined;
  /** Where in-dialog requests go (the peer's Contact); changed by target refreshes (§12.2). */
  remoteTarget: Uri;
  /** The Route header values of in-dialog requests, in order. */
  routeSet: NameAddr[];

  private constructor(
    readonly callId: string,
    readonly localTag: string,
    readonly remoteTag: string,
    /** Our From URI (UAC) or the request's To URI (UAS), tags stripped. */
    readonly localUri: NameAddr,
    readonly remoteUri: NameAddr,
    init: { localSeq: number; remoteSeq: number | undefined; remoteTarget: Uri; routeSet: NameAddr[]; state: DialogState },
    /** §12.1.1/§12.1.2: the request was sent over TLS with a sips Request-URI. */
    readonly secure: boolean,
  ) {
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.currentState = init.state;
  }

  /**
   * The UAC's dialog (§12.1.2), from our request and a 1xx (early) or 2xx (confirmed) with a
   * To tag: "The route set MUST be set to the list of URIs in the Record-Route header field
   * from the response, taken in reverse order [...]. The remote target MUST be set to the URI
   * from the Contact header field of the response. The local sequence number MUST be set to
   * the value of the sequence number in the CSeq header field of the request. The remote
   * sequence number MUST be empty."
   */
  static fromUac(request: SipRequest, response: SipResponse, secureTransport = false): Dialog {
    const localTag = request.from.tag;
    const remoteTag = response.to.tag;
    if (localTag === undefined) throw new DialogCreationError('our request has no From tag');
    if (remoteTag === undefined) throw new DialogCreationError(`a ${response.status} without a To tag cannot create a dialog`);
    const contact = response.contacts[0];
    // A 1xx without Contact still creates an early dialog; its target stays the Request-URI until a Contact arrives.
    if (!contact && response.status >= 200) throw new DialogCreationError(`the ${response.status} has no Contact`);
    return new Dialog(
      request.callId,
      localTag,
      remoteTag,
      stripTag(request.from),
      stripTag(response.to),
      {
        localSeq: request.cseq.seq,
        remoteSeq: undefined,
        remoteTarget: contact ? contact.uri.clone() : request.uri.clone(),
        routeSet: response.recordRoutes.map((r) => r.clone()).reverse(),
        state: response.status >= 200 ? DialogState.Confirmed : DialogState.Early,
      },
      secureTransport && isSips(request.uri),
    );
  }

  /**
   * The UAS's dialog (§12.1.1), for the response we send with `localTag`: "The route set MUST
   * be set to the list of URIs in the Record-Route header field from the request, taken in
   * order [...]. The remote target MUST be set to the URI from the Contact header field of the
   * request. The remote sequence number MUST be set to the value of the sequence number in the
   * CSeq header field of the request. The local sequence number MUST be empty." We start the
   * local space at 0 so that our first request carries 1.
   */
  static fromUas(request: SipRequest, localTag: string, state: DialogState.Early | DialogState.Confirmed, secureTransport = false): Dialog {
    const remoteTag = request.from.tag;
    if (remoteTag === undefined) throw new DialogCreationError('the request has no From tag');
    const contact = request.contacts[0];
    if (!contact) throw new DialogCreationError('the request has no Contact');
    return new Dialog(
      request.callId,
      localTag,
      remoteTag,
      stripTag(request.to),
      stripTag(request.from),
      {
        localSeq: 0,
        remoteSeq: request.cseq.seq,
        remoteTarget: contact.uri.clone(),
        routeSet: request.recordRoutes.map((r) => r.clone()),
        state,
      },
      secureTransport && isSips(request.uri),
    );
  }

  get state(): DialogState {
    return this.currentState;
  }

  /** The dialog ID as a map key (see dialogKey). */
  get id(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** A 2xx arrived for (UAC) or was sent on (UAS) this early dialog. */
  confirm(): void {
    if (this.currentState === DialogState.Confirmed) return;
    assertDialogTransition(this.currentState, DialogState.Confirmed);
    this.currentState = DialogState.Confirmed;
  }

  /** Ends the dialog (BYE, a non-2xx final to the INVITE, or a failed refresh). Idempotent. */
  terminate(): void {
    if (this.currentState === DialogState.Terminated) return;
    assertDialogTransition(this.currentState, DialogState.Terminated);
    this.currentState = DialogState.Terminated;
  }

  /**
   * For an early dialog confirmed by a 2xx (UAC): "the route set for the dialog MUST be
   * recomputed based on the 2xx response using the procedures of Section 12.2.1.2" (§13.2.2.4),
   * and the remote target is taken from its Contact.
   */
  updateFromUacResponse(response: SipResponse): void {
    if (this.currentState === DialogState.Early) {
      this.routeSet = response.recordRoutes.map((r) => r.clone()).reverse();
    }
    this.refreshTarget(response);
  }

  /**
   * A target refresh (§12.2.1.2 for responses, §12.2.2 for requests): "When a UAS receives a
   * target refresh request, it MUST replace the dialog's remote target URI with the URI from
   * the Contact header field in that request, if present." The route set never changes.
   */
  refreshTarget(message: SipRequest | SipResponse): void {
    let contact: NameAddr | undefined;
    try {
      contact = message.contacts[0];
    } catch {
      return;
    }
    if (contact) this.remoteTarget = contact.uri.clone();
  }

  /**
   * Checks an incoming request's CSeq against the remote sequence number (§12.2.2): "If the
   * remote sequence number was not empty, but the sequence number of the request is lower than
   * the remote sequence number, the request is out of order and MUST be rejected with a 500".
   * ACK and CANCEL carry the CSeq of the request they belong to and are not checked.
   */
  receiveRequest(request: SipRequest): DialogRequestVerdict {
    if (request.method === 'ACK' || request.method === 'CANCEL') return { accept: true };
    const seq = request.cseq.seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
      return { accept: false, status: 500, reason: 'CSeq Out of Order' };
    }
    // "If the remote sequence number is empty, it MUST be set to the value of the sequence number" (§12.2.2)
    this.remoteSeq = seq;
    return { accept: true };
  }

  /**
   * Builds a request within the dialog (§12.2.1.1): To = remote URI + remote tag, From = local
   * URI + local tag, Call-ID of the dialog, "The CSeq header field value MUST be the local
   * sequence number incremented by one" (not for ACK, which passes `cseq`), Request-URI =
   * remote target, Route = route set. Adds Max-Forwards; the caller adds Contact for target
   * refresh requests, Via is added when sent.
   */
  createRequest(method: string, init: InDialogRequestInit = {}): SipRequest {
    let seq: number;
    if (init.cseq !== undefined) {
      seq = init.cseq;
    } else {
      this.localSeq += 1;
      seq = this.localSeq;
    }
    const to = this.remoteUri.clone();
    to.params.set('tag', this.remoteTag);
    const from = this.localUri.clone();
    from.params.set('tag', this.localTag);
    const headers: Array<[string, string]> = [];
    // "If the route set is not empty, and the first URI in the route set contains the lr
    // parameter, the UAC MUST place the remote target URI into the Request-URI and MUST include
    // a Route header field containing the route set values in order, including all parameters."
    for (const route of this.routeSet) headers.push(['Route', route.toString()]);
    headers.push(['Max-Forwards', '70']);
    headers.push(['From', from.toString()]);
    headers.push(['To', to.toString()]);
    headers.push(['Call-ID', this.callId]);
    headers.push(['CSeq', `${seq} ${method}`]);
    headers.push(...(init.headers ?? []));
    return SipRequest.create({
      method,
      uri: this.remoteTarget.clone(),
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  }
}

function stripTag(addr: NameAddr): NameAddr {
  const copy = addr.clone();
  copy.params.delete('tag');
  return copy;
}

function isSips(uri: Uri): boolean {
  return uri instanceof SipUri && uri.scheme === 'sips';
}
