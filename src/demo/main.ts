/**
 * The demo driver's process (`node dist/src/demo/main.js`), run by `scripts/demo.sh` once the dev server, the
 * simulator and a worker are up. Exits 0 only when every path ended as it must, so the demo doubles as a smoke test.
 *
 * Environment: DEMO_SIM_URL (http://127.0.0.1:8090), DEMO_DAY_MS (1000, as given to the simulator and the worker),
 * TEMPORAL_TASK_QUEUE (the worker's), TEMPORAL_UI_URL (http://localhost:8233), and Temporal's connection variables.
 */
import { Client, Connection } from '@temporalio/client';
import { taskQueueFrom } from '../config/task-queue';
import { workflowIdFor } from '../shared/contract';
import { SimulatorControl } from '../simulator';
import { temporalConnectionConfig } from '../temporal-connection';
import { formatReport } from './report';
import { runDemo } from './run-demo';
import { DEMO_PURGE_AFTER_DAYS, demoScenarios, runSuffix } from './scenarios';

interface DemoEnv {
  simUrl: string;
  dayMs: number;
  taskQueue: string;
  uiUrl: string;
}

function readEnv(env: NodeJS.ProcessEnv): DemoEnv {
  const dayMs = Number(env.DEMO_DAY_MS ?? '1000');
  if (!Number.isFinite(dayMs) || dayMs <= 0)
    throw new Error(`DEMO_DAY_MS: "${env.DEMO_DAY_MS}" is not a positive number`);
  return {
    simUrl: env.DEMO_SIM_URL || 'http://127.0.0.1:8090',
    dayMs,
    taskQueue: taskQueueFrom(env),
    uiUrl: (env.TEMPORAL_UI_URL || 'http://localhost:8233').replace(/\/+$/, ''),
  };
}

/**
 * An interrupted demo would leave its open runs for the next demo's worker, which meets a fresh simulator that
 * knows none of their tenants. They only ever touched the simulator, so terminating them loses nothing.
 */
function terminateOnInterrupt(client: Client, suffix: string): void {
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`demo: ${signal}: terminating this run's open workflows\n`);
    const ids = demoScenarios(suffix).map((s) => workflowIdFor(s.input.tenantId));
    Promise.allSettled(ids.map((id) => client.workflow.getHandle(id).terminate(`demo interrupted (${signal})`))).then(
      () => process.exit(130),
      () => process.exit(130),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(): Promise<number> {
  const env = readEnv(process.env);
  const sim = new SimulatorControl(env.simUrl);
  await sim.health().catch((error: unknown) => {
    throw new Error(`the simulator does not answer at ${env.simUrl}: ${String(error)}`);
  });
  const { connectionOptions, namespace } = temporalConnectionConfig();
  const connection = await Connection.connect(connectionOptions);
  try {
    const client = new Client({ connection, namespace });
    const suffix = runSuffix();
    const print = (line: string) => process.stdout.write(`${line}\n`);
    print(
      `Offboarding ${demoScenarios(suffix).length} demo tenants (grace period ${DEMO_PURGE_AFTER_DAYS} days; ` +
        `1 day = ${env.dayMs} ms) on task queue ${env.taskQueue}:`,
    );
    for (const s of demoScenarios(suffix)) print(`  ${s.path.padEnd(10)} ${s.tenant.id}: ${s.description}`);
    print('');
    terminateOnInterrupt(client, suffix);
    const results = await runDemo({ client, taskQueue: env.taskQueue, sim, dayMs: env.dayMs, suffix, log: print });
    print('');
    print(formatReport(results, { uiUrl: env.uiUrl, namespace }));
    return results.every((r) => r.problems.length === 0) ? 0 : 1;
  } finally {
    await connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
