import type { Logger } from '../../log/logger.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';
import type { InviteSession } from './invite-session.js';

/** What a session needs from its owner: the UA core, and routing of in-dialog requests to it. */
export interface SessionHost {
  readonly core: UserAgentCore;
  readonly logger: Logger;
  /** Requests and ACKs with this dialog ID go to `session` from now on. */
  bindDialog(key: string, session: InviteSession): void;
  unbindDialog(key: string): void;
}
