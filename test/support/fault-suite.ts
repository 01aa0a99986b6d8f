/**
 * The "Faults at Qlik" suite, declared once for both sizes: test/workflows/qlik-faults.e2e runs it with a few dozen
 * tenants per family (CI), qlik-faults.chaos with 200. Families run a few at a time against one dev server, each with its own
 * simulator, workers and task queue; the verdicts are taken while each simulator is still up, and every test below
 * asserts one verdict, so that a failure names exactly what broke.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RequestLogEntry } from '../../src/simulator';
import { CLIENT_SECRETS } from '../../harness/simulator';
import { createLocalEnv } from '../../harness/temporal';
import type { CapturedLogs } from './captured-logs';
import { faultFamilies, type FaultFamily } from './fault-families';
import { faultsFired } from './request-log';
import { callViolations, outcomeViolations, runFamily, unfired, type FamilyRun } from './run-family';
import { scanForLeaks, type LeakScan } from './secrets';

/**
 * Checks that fail because of a product bug reported to the owner of `src/` (see docs/reliability.md, "Known
 * bugs"). They run as `it.failing`: while the bug is there they pass; once it is fixed Jest reports them, and the
 * entry here must go.
 */
export const KNOWN_BUGS: Record<string, string> = {};

/** What one family's run proved, taken before its simulator closed. */
interface Verdict {
  tenants: number;
  outcomes: string[];
  calls: string[];
  unfired: string[];
  fired: string;
  checks: Record<string, string[]>;
}

function judge(run: FamilyRun): Verdict {
  return {
    tenants: run.run.ends.length,
    outcomes: outcomeViolations(run),
    calls: callViolations(run.run, run.log),
    unfired: unfired(run),
    fired: JSON.stringify(faultsFired(run.log)),
    checks: Object.fromEntries(Object.entries(run.family.checks ?? {}).map(([name, check]) => [name, check(run)])),
  };
}

export interface FaultSuiteOptions {
  /** Tenants per family. */
  tenants: number;
  seed: number;
  /** Family names run together; batches run one after the other. */
  batches: string[][];
  logs: CapturedLogs;
}

/** Declares the suite's hooks and tests in the calling test file. */
export function defineFaultSuite(options: FaultSuiteOptions): void {
  const families = faultFamilies(options.seed, options.tenants);
  const byName = new Map(families.map((f) => [f.name, f]));
  const verdicts = new Map<string, Verdict>();
  const requestLog: RequestLogEntry[] = [];
  let env: TestWorkflowEnvironment | undefined;
  let scan: LeakScan | undefined;

  beforeAll(async () => {
    env = await createLocalEnv();
    for (const batch of options.batches) {
      const runs = await Promise.all(batch.map((name) => runFamily(env!, byName.get(name)!, options.tenants)));
      for (const run of runs) {
        verdicts.set(run.family.name, judge(run));
        requestLog.push(...run.log);
        await run.close();
      }
    }
    scan = await scanForLeaks({
      client: env.client,
      logLines: options.logs.lines(),
      requestLog,
      secrets: Object.values(CLIENT_SECRETS),
    });
  }, 30 * 60_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const verdict = (family: FaultFamily): Verdict => {
    const found = verdicts.get(family.name);
    if (!found) throw new Error(`family ${family.name} did not run (see the beforeAll error)`);
    return found;
  };

  const scheduled = new Set(options.batches.flat());
  for (const family of families.filter((f) => scheduled.has(f.name))) {
    describe(`${family.title} (${family.name}, ${options.tenants} tenants, seed ${options.seed})`, () => {
      it('every workflow reaches its expected outcome', () => {
        expect(verdict(family).outcomes).toEqual([]);
        expect(verdict(family).tenants).toBe(options.tenants);
      });

      it('each tenant is deactivated once in effect and reactivated at most once; none is touched after an early cancel', () => {
        expect(verdict(family).calls).toEqual([]);
      });

      it('the request log shows every injected fault fired', () => {
        expect({ unfired: verdict(family).unfired, fired: verdict(family).fired }).toMatchObject({ unfired: [] });
      });

      for (const name of Object.keys(family.checks ?? {})) {
        const bug = KNOWN_BUGS[name];
        const test = bug ? it.failing : it;
        test(bug ? `${name} [KNOWN BUG, ${bug}]` : name, () => {
          expect(verdict(family).checks[name]).toEqual([]);
        });
      }
    });
  }

  describe('secrets after every fault family', () => {
    it('no client secret or access token appears in any history, worker log line, or request to a tenant host', () => {
      expect(scan).toBeDefined();
      expect(scan!.histories.length).toBeGreaterThanOrEqual(verdicts.size * options.tenants);
      expect(scan!.needles).toBeGreaterThan(Object.keys(CLIENT_SECRETS).length);
      expect(scan!.leaks).toEqual([]);
    });
  });
}
