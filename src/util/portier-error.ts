/**
 * Base class of every error Portier raises on purpose. `code` is stable across
 * releases so that callers, tests and log searches can match on it (the undici model).
 */
export class PortierError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
