/**
 * `verifySignature`, the check receivers copy: it accepts exactly what `sendLifecycleEvent` signs, and refuses a
 * changed body, another secret, a replayed or re-timestamped request, and malformed headers.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signReport, verifySignature } from '../../src/reports';

const secret = 'whsec-unit-3f9a';
const body = JSON.stringify({ schemaVersion: 1, event: 'deactivated', idempotencyKey: 'wf/run/deactivated' });
const nowMs = Date.UTC(2026, 2, 1, 10, 0, 0);
const timestamp = String(Math.floor(nowMs / 1000));
const signature = signReport({ secret, timestamp, body });

describe('verifySignature', () => {
  it('accepts a report signed with the shared secret, timestamp within the tolerance', () => {
    expect(verifySignature({ secret, timestamp, body, signature, nowMs })).toBe(true);
    expect(verifySignature({ secret, timestamp, body, signature, nowMs: nowMs + 299_000 })).toBe(true);
  });

  it('matches the documented recipe: sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(signature).toBe(`sha256=${expected}`);
  });

  it('refuses a body changed by one character', () => {
    expect(
      verifySignature({ secret, timestamp, body: body.replace('deactivated', 'reactivated'), signature, nowMs }),
    ).toBe(false);
  });

  it('refuses another secret', () => {
    expect(verifySignature({ secret: 'whsec-other', timestamp, body, signature, nowMs })).toBe(false);
  });

  it('refuses a replay once the timestamp is older than the tolerance, and one from the future', () => {
    expect(verifySignature({ secret, timestamp, body, signature, nowMs: nowMs + 301_000 })).toBe(false);
    expect(verifySignature({ secret, timestamp, body, signature, nowMs: nowMs - 301_000 })).toBe(false);
    expect(verifySignature({ secret, timestamp, body, signature, nowMs: nowMs + 3_600_000, toleranceS: 7_200 })).toBe(
      true,
    );
  });

  it('refuses a fresh timestamp on an old signature: the timestamp is signed too', () => {
    const later = String(Number(timestamp) + 3_600);
    expect(verifySignature({ secret, timestamp: later, body, signature, nowMs: nowMs + 3_600_000 })).toBe(false);
  });

  it('refuses missing and malformed headers without throwing', () => {
    const hex = signature.slice('sha256='.length);
    for (const bad of [undefined, '', hex, `sha1=${hex}`, `${signature}00`, signature.slice(0, -1), 'sha256=zz']) {
      expect(verifySignature({ secret, timestamp, body, signature: bad, nowMs })).toBe(false);
    }
    for (const badTimestamp of [undefined, '', 'yesterday', '-1', '1.5e9']) {
      expect(verifySignature({ secret, timestamp: badTimestamp, body, signature, nowMs })).toBe(false);
    }
    expect(verifySignature({ secret: '', timestamp, body, signature, nowMs })).toBe(false);
  });

  it('is what docs/webhook.md tells receivers to copy: the snippet there verifies and refuses the same way', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'webhook.md'), 'utf8');
    const snippet = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toContain('function verifySignature');
    type Verify = typeof verifySignature;
    const documented = new Function('require', `${snippet}\nreturn verifySignature;`)(require) as Verify;
    expect(documented({ secret, timestamp, body, signature, nowMs })).toBe(true);
    expect(documented({ secret, timestamp, body: `${body} `, signature, nowMs })).toBe(false);
    expect(documented({ secret, timestamp, body, signature, nowMs: nowMs + 301_000 })).toBe(false);
    expect(documented({ secret: 'whsec-other', timestamp, body, signature, nowMs })).toBe(false);
  });
});
