/**
 * A busy offboarding continues as new, at full size: as many signals as the server lets one run receive, at the
 * product's own history bound (4,000 events). About a minute on 2 cores.
 */
import { defineSignalStormSuite, SERVER_SIGNAL_LIMIT } from '../support/signal-storm';

defineSignalStormSuite({ signals: SERVER_SIGNAL_LIMIT });
