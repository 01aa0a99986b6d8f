/**
 * Faults at Qlik, end to end (CI size): for each fault family of the issue, a fleet of tenants is offboarded
 * concurrently through the product's own workers and a dev server, with the fault injected by the simulator on
 * every route at a seeded rate. Proven per family, from the workflow results and the simulator's request log:
 * every workflow reaches its expected outcome; each tenant is deactivated once in effect (a repeat only after a lost
 * answer or a timeout) and reactivated at most once; tenants cancelled before deactivation get no deactivate or
 * reactivate (none at all with signal-with-start); every injected fault fired; plus each family's own proofs.
 * test/workflows/qlik-faults.chaos.test.ts runs the same suite with 200 tenants per family.
 *
 * RELIABILITY_TENANTS (default 40) sets the fleet size, RELIABILITY_SEED the seed.
 */
import { captureWorkerLogs } from '../support/captured-logs';
import { defineFaultSuite } from '../support/fault-suite';
import { seedFrom } from '../support/seeded';

const logs = captureWorkerLogs();

defineFaultSuite({
  logs,
  tenants: Number(process.env.RELIABILITY_TENANTS ?? 40),
  seed: seedFrom(20261129),
  // About 160 concurrent workflows per batch: enough load to matter, little enough for a 2-core CI machine.
  batches: [
    ['R429', 'S5XX', 'RST', 'SLOW'],
    ['LOST', 'TOK', 'PROP', 'PROPX'],
    ['LAG', 'OVER', 'P404', 'PRST', 'EXT'],
  ],
});
