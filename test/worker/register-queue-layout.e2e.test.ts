/**
 * The start-up look at the registration queues' layout (issue "[3 of 4] Operations at scale", item 1): the server
 * splits a queue's rate limit among its partitions, so on a cluster's default layout (4) and a low budget a decided
 * reactivation can wait longer than its 5 s for its partition's next slot. The worker reads each queue's partitions
 * and says so, naming the queue and what to configure; it also warns of a rate limit set through the API, which
 * overrides the budget. Two real dev servers: one partition per queue (as `temporal-dev.sh` runs it) and the
 * server's own default.
 */
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { registerTaskQueueFor } from '../../src/registration-budget';
import {
  layoutFindings,
  readRegisterQueueLayouts,
  reportRegisterQueueLayouts,
} from '../../src/worker/register-queue-layout';
import { createLocalEnv } from '../../harness/temporal';

const TASK_QUEUE = 'layout-check';
const QUEUE = registerTaskQueueFor(TASK_QUEUE, 'eu');

let onePartition: TestWorkflowEnvironment;
let serverDefault: TestWorkflowEnvironment;

beforeAll(async () => {
  [onePartition, serverDefault] = await Promise.all([createLocalEnv(), createLocalEnv({ partitions: 'default' })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([onePartition?.teardown(), serverDefault?.teardown()]);
});

const layoutOn = async (env: TestWorkflowEnvironment) => {
  const [layout] = await readRegisterQueueLayouts({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    config: { taskQueue: TASK_QUEUE, regions: ['eu'] },
  });
  return layout!;
};

describe('the registration queues at start', () => {
  it("reads one partition on the dev server's layout: the budget is enforced whole", async () => {
    const layout = await layoutOn(onePartition);
    expect(layout).toEqual({ region: 'eu', registerTaskQueue: QUEUE, partitions: 1 });
    expect(layoutFindings(layout, 30)).toEqual([
      { level: 'info', message: expect.stringContaining('1 partition, the limit of 30/min is enforced whole') },
    ]);
  });

  it("warns on the server's default layout when a decided reactivation could wait more than 5 s", async () => {
    const layout = await layoutOn(serverDefault);
    expect(layout.partitions).toBe(4);

    const [atThirty] = layoutFindings(layout, 30);
    expect(atThirty?.level).toBe('warn');
    expect(atThirty?.message).toContain(`registration queue ${QUEUE}: 4 partitions`);
    expect(atThirty?.message).toContain('may wait up to 8.0 s');
    expect(atThirty?.message).toContain(`taskQueueName: ${QUEUE}`);
    expect(atThirty?.message).toContain('a budget of at least 48/min');

    // The default budget leaves the wait within the target: said, not warned.
    const [atNinety] = layoutFindings(layout, 90);
    expect(atNinety).toEqual({ level: 'info', message: expect.stringContaining('waits at most 2.7 s') });
  });

  it('warns of a rate limit set on the queue through the API, which overrides the budget', async () => {
    const { TaskQueueType } = temporal.api.enums.v1;
    const setLimit = (requestsPerSecond?: number) =>
      onePartition.connection.workflowService.updateTaskQueueConfig({
        namespace: onePartition.namespace ?? 'default',
        identity: 'register-queue-layout test',
        taskQueue: QUEUE,
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        updateQueueRateLimit:
          requestsPerSecond === undefined ? {} : { rateLimit: { requestsPerSecond }, reason: 'a test' },
      });

    await setLimit(2);
    const layout = await layoutOn(onePartition);
    expect(layout.apiCallsPerSecond).toBe(2);
    const warning = layoutFindings(layout, 90).find((f) => f.level === 'warn');
    expect(warning?.message).toContain('a rate limit of 120/min set through the API overrides');
    expect(warning?.message).toContain('above the budget, so Qlik may answer 429');
    expect(warning?.message).toContain(`--task-queue ${QUEUE} --task-queue-type activity --queue-rps-limit default`);

    await setLimit(undefined);
    expect((await layoutOn(onePartition)).apiCallsPerSecond).toBeUndefined();
  });

  it('logs what it found, and a failed read is one warning, never a failed start', async () => {
    const lines: string[] = [];
    const logger = new DefaultLogger('INFO', (entry: LogEntry) => lines.push(`${entry.level} ${entry.message}`));
    const config = { taskQueue: TASK_QUEUE, regions: ['eu'], registerCallsPerMinute: 30 };

    await reportRegisterQueueLayouts({
      connection: serverDefault.nativeConnection,
      namespace: 'default',
      config,
      logger,
    });
    expect(lines).toEqual([expect.stringMatching(/^WARN registration queue .* may wait up to 8\.0 s/)]);

    lines.length = 0;
    const unreachable = {
      workflowService: {
        listTaskQueuePartitions: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
      } as unknown as temporal.api.workflowservice.v1.WorkflowService,
      withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
    };
    const findings = await reportRegisterQueueLayouts({
      connection: unreachable,
      namespace: 'default',
      config,
      logger,
    });
    expect(findings).toHaveLength(1);
    expect(lines).toEqual([expect.stringContaining('WARN could not read the partitions of the registration queues')]);
  });
});
