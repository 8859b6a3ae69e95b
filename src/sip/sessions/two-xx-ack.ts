import type { Logger } from '../../log/logger.js';
import type { SipRequest } from '../messages/index.js';
import type { SendTarget } from '../transport/transport-types.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';

/**
 * The ACK for one 2xx to an INVITE (RFC 3261 §13.2.2.4): built once, sent to the dialog's next
 * hop (the first Route, else the remote target, RFC 3263) outside any transaction, and sent
 * again, unchanged, for every retransmission of that 2xx: "The UAC core MUST generate an ACK
 * request for each 2xx received from the transaction layer."
 */
export class TwoXxAck {
  private readonly target: Promise<SendTarget | undefined>;

  constructor(
    private readonly core: UserAgentCore,
    readonly ack: SipRequest,
    private readonly logger: Logger,
  ) {
    this.target = core.sender.resolveTargets(ack).then(
      (targets) => targets[0],
      (error: unknown) => {
        logger.warn('no target for the ACK', { error });
        return undefined;
      },
    );
  }

  /** Sends the ACK (again); resolves once written. Never rejects: a lost ACK is recovered by the 2xx retransmission. */
  send(): Promise<void> {
    return this.target.then(async (target) => {
      if (!target) return;
      try {
        await this.core.transactions.sendAck(this.ack, target);
      } catch (error) {
        this.logger.warn('ACK could not be sent', { error });
      }
    });
  }
}
