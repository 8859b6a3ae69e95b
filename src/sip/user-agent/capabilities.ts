/** What this user agent advertises in Allow, Accept and Supported (RFC 3261 §11.2, §20). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY'];
export const ACCEPTED_BODIES = ['application/sdp', 'application/dtmf-relay', 'application/dtmf'];
export const SUPPORTED_EXTENSIONS = ['100rel', 'timer', 'replaces'];

/** Methods this stack recognizes; a request with any other method gets 501 (RFC 3261 §8.2.1). */
export const KNOWN_METHODS = new Set([...ALLOWED_METHODS, 'REGISTER', 'SUBSCRIBE', 'REFER', 'MESSAGE', 'PUBLISH']);
