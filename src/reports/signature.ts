/**
 * Signing of lifecycle reports, and the check a receiver runs. The HMAC covers the timestamp as well as the body, so
 * a captured request cannot be replayed later with a fresh timestamp; receivers reject timestamps outside a window.
 * `verifySignature` depends on `node:crypto` only, so receivers can copy it as it is (docs/webhook.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed report (HTTP header names are case-insensitive; Node lower-cases them). */
export const REPORT_HEADERS = {
  signature: 'X-Offboarding-Signature',
  timestamp: 'X-Offboarding-Timestamp',
  idempotencyKey: 'Idempotency-Key',
} as const;

const SIGNATURE_PREFIX = 'sha256=';
/** Default accepted clock difference between sender and receiver. */
export const DEFAULT_SIGNATURE_TOLERANCE_S = 300;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the shared secret. */
export function signReport(input: { secret: string; timestamp: number | string; body: string }): string {
  const mac = createHmac('sha256', input.secret).update(`${input.timestamp}.${input.body}`, 'utf8').digest('hex');
  return `${SIGNATURE_PREFIX}${mac}`;
}

/** What {@link verifySignature} needs: the raw body exactly as received, and the two headers. */
export interface VerifySignatureInput {
  secret: string;
  /** `X-Offboarding-Timestamp`: Unix seconds. */
  timestamp: string | number | undefined;
  /** The raw request body (before any JSON parsing: re-serialising would change the bytes). */
  body: string;
  /** `X-Offboarding-Signature`. */
  signature: string | undefined;
  /** Accepted difference between the timestamp and now, in seconds (default 300). */
  toleranceS?: number;
  /** Clock of the receiver, epoch ms (default `Date.now()`). */
  nowMs?: number;
}

/**
 * True when `signature` is the report's HMAC under `secret` and the timestamp is within the tolerance of now.
 * Compares in constant time, so the answer time tells an attacker nothing about how close a guess was.
 */
export function verifySignature(input: VerifySignatureInput): boolean {
  const { secret, body, signature } = input;
  const timestamp = String(input.timestamp ?? '');
  if (!secret || !/^\d{1,15}$/.test(timestamp)) return false;
  if (typeof signature !== 'string' || !signature.startsWith(SIGNATURE_PREFIX)) return false;
  const toleranceS = input.toleranceS ?? DEFAULT_SIGNATURE_TOLERANCE_S;
  const nowS = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowS - Number(timestamp)) > toleranceS) return false;

  const expected = Buffer.from(signReport({ secret, timestamp, body }), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on different lengths; a length mismatch is not secret (the format is public).
  return given.length === expected.length && timingSafeEqual(given, expected);
}
