/** The date, the machine and the versions each table is stamped with, so that figures are never read out of context. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { ROOT } from '../../harness/repo';

export interface Environment {
  date: string;
  cpu: string;
  cores: number;
  memory: string;
  loadAtStart: string;
  os: string;
  node: string;
  product: string;
  sdk: string;
  temporal: string;
}

function packageVersion(packagePath: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, packagePath, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

export async function describeEnvironment(client: Client, cliVersion: string): Promise<Environment> {
  let server = '';
  try {
    const info = await client.workflowService.getClusterInfo({});
    server = info.serverVersion ? `server ${info.serverVersion}` : '';
  } catch {
    // an older server without GetClusterInfo: the CLI version says enough
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpus[0]?.model.trim() ?? '?',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    loadAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    product: packageVersion(''),
    sdk: packageVersion('node_modules/@temporalio/worker'),
    temporal: `${cliVersion.replace(/^temporal version /, 'CLI ')}${server ? `; ${server}` : ''}`,
  };
}

/** One line under each table. */
export function stamp(env: Environment): string {
  return `_${env.date} · ${env.cores} cores, ${env.memory} · Node ${env.node} · Temporal TS SDK ${env.sdk} · Temporal ${env.temporal} · qlik-tenant-offboarding ${env.product}_`;
}

/** The header of the output: everything about where the figures come from. */
export function environmentTable(env: Environment): string {
  return [
    `| date | machine | load at start (1/5/15 min) | OS | Node | Temporal TS SDK | Temporal dev server |`,
    `|---|---|---|---|---|---|---|`,
    `| ${env.date} | ${env.cores} cores (${env.cpu}), ${env.memory} | ${env.loadAtStart} | ${env.os} | ${env.node} | ${env.sdk} | ${env.temporal} |`,
  ].join('\n');
}
