/**
 * A busy offboarding continues as new, at CI size: the history bound is lowered so that 1,500 signals make at least
 * three runs (test/workflows/signal-storm.chaos.test.ts sends the server's full 10,000 at the product's own bound).
 */
import { defineSignalStormSuite } from '../support/signal-storm';

defineSignalStormSuite({ signals: 1_500, historyBounds: { events: 500, bytes: 1024 * 1024 } });
