import { PortierError } from '../util/portier-error.js';
import type { StationControlErrorCode } from './station-control.js';

/** Stable codes of errors raised by the HTTP layer itself. */
export type ApiErrorCode =
  | 'PORTIER_ERR_API_BAD_REQUEST'
  | 'PORTIER_ERR_API_UNAUTHORIZED'
  | 'PORTIER_ERR_API_FORBIDDEN'
  | 'PORTIER_ERR_API_NOT_FOUND'
  | 'PORTIER_ERR_API_METHOD_NOT_ALLOWED'
  | 'PORTIER_ERR_API_BODY_TOO_LARGE'
  | 'PORTIER_ERR_API_UNSUPPORTED_MEDIA_TYPE'
  | 'PORTIER_ERR_API_TOO_MANY_CLIENTS'
  | 'PORTIER_ERR_API_INTERNAL'
  | 'PORTIER_ERR_API_NO_TOKEN'
  | 'PORTIER_ERR_API_LISTEN';

const STATUS: Record<ApiErrorCode | StationControlErrorCode, number> = {
  PORTIER_ERR_API_BAD_REQUEST: 400,
  PORTIER_ERR_API_UNAUTHORIZED: 401,
  PORTIER_ERR_API_FORBIDDEN: 403,
  PORTIER_ERR_API_NOT_FOUND: 404,
  PORTIER_ERR_API_METHOD_NOT_ALLOWED: 405,
  PORTIER_ERR_API_BODY_TOO_LARGE: 413,
  PORTIER_ERR_API_UNSUPPORTED_MEDIA_TYPE: 415,
  PORTIER_ERR_API_TOO_MANY_CLIENTS: 503,
  PORTIER_ERR_API_INTERNAL: 500,
  PORTIER_ERR_API_NO_TOKEN: 500,
  PORTIER_ERR_API_LISTEN: 500,
  PORTIER_ERR_UNKNOWN_RELAY: 404,
  PORTIER_ERR_UNKNOWN_INPUT: 404,
  PORTIER_ERR_CALL_IN_PROGRESS: 409,
  PORTIER_ERR_NO_CALL: 409,
  PORTIER_ERR_INVALID_TARGET: 400,
  PORTIER_ERR_UNAVAILABLE: 503,
};

/** An HTTP API failure with a stable code; the response body is `{ error: { code, message } }`. */
export class ApiError extends PortierError {
  declare readonly code: ApiErrorCode;

  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The HTTP status for an error code; 500 for codes the API does not know. */
export function httpStatusFor(code: string): number {
  return (STATUS as Record<string, number>)[code] ?? 500;
}

/** Whether `code` is one the API reports as is (anything else is reported as an internal error). */
export function isKnownErrorCode(code: unknown): code is ApiErrorCode | StationControlErrorCode {
  return typeof code === 'string' && code in STATUS;
}
