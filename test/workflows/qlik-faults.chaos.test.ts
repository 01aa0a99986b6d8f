/**
 * Faults at Qlik at full size: the suite of test/workflows/qlik-faults.e2e.test.ts with 200 tenants per fault family
 * (CHAOS_TENANTS), one family at a time. Not part of `npm test`: run with `npm run test:chaos` (about 6 minutes).
 *
 * CHAOS_TENANTS (default 200) sets the fleet size, RELIABILITY_SEED the seed.
 */
import { captureWorkerLogs } from '../support/captured-logs';
import { defineFaultSuite } from '../support/fault-suite';
import { seedFrom } from '../support/seeded';

const logs = captureWorkerLogs();

defineFaultSuite({
  logs,
  tenants: Number(process.env.CHAOS_TENANTS ?? 200),
  seed: seedFrom(20261130),
  // One family at a time: 200 concurrent runs already keep a 2-core machine busy; 400 overload the dev server
  // (its own database calls time out), which tests Temporal's limits rather than the product.
  batches: ['R429', 'S5XX', 'RST', 'SLOW', 'LOST', 'TOK', 'PROP', 'PROPX', 'LAG', 'OVER', 'P404', 'PRST', 'EXT'].map(
    (f) => [f],
  ),
});
