import type { IncomingMessage } from 'node:http';
import { ApiError } from './api-error.js';

/** Largest request body accepted; every route takes a few short fields. */
export const MAX_BODY_BYTES = 4096;

/** Reads a JSON object body; an empty body is `{}`. Throws {@link ApiError}. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError('PORTIER_ERR_API_BODY_TOO_LARGE', `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError('PORTIER_ERR_API_BODY_TOO_LARGE', `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError('PORTIER_ERR_API_UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError('PORTIER_ERR_API_BAD_REQUEST', 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('PORTIER_ERR_API_BAD_REQUEST', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An optional string field of a body; throws when present with another type. */
export function optionalString(body: Record<string, unknown>, field: string, maxLength = 256): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > maxLength) {
    throw new ApiError('PORTIER_ERR_API_BAD_REQUEST', `"${field}" must be a non-empty string of at most ${maxLength} characters`);
  }
  return v;
}
