import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporalConnectionConfig } from '../../src/temporal-connection';

describe('temporalConnectionConfig (Temporal environment configuration)', () => {
  it('defaults to the local dev server and the default namespace', () => {
    expect(temporalConnectionConfig({})).toMatchObject({
      connectionOptions: { address: 'localhost:7233' },
      namespace: 'default',
    });
  });

  it('reads a Temporal Cloud style address, namespace and API key (TLS implied)', () => {
    const { connectionOptions, namespace } = temporalConnectionConfig({
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'offboarding.a1b2c',
      TEMPORAL_API_KEY: 'test-api-key',
    });
    expect(namespace).toBe('offboarding.a1b2c');
    expect(connectionOptions.address).toBe('eu-west-1.aws.api.temporal.io:7233');
    expect(connectionOptions.apiKey).toBe('test-api-key');
    expect(connectionOptions.tls).toBeTruthy();
  });

  it('reads a profile from a TOML config file, with mTLS client certificates', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'envconfig-'));
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.prod]',
        'address = "temporal.internal:7233"',
        'namespace = "offboarding"',
        '[profile.prod.tls]',
        'client_cert_data = "CERT"',
        'client_key_data = "KEY"',
      ].join('\n'),
    );
    const { connectionOptions, namespace } = temporalConnectionConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
    });
    expect(namespace).toBe('offboarding');
    expect(connectionOptions.address).toBe('temporal.internal:7233');
    const pair = (connectionOptions.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array } }).clientCertPair;
    expect(Buffer.from(pair.crt).toString()).toBe('CERT');
    expect(Buffer.from(pair.key).toString()).toBe('KEY');
  });
});
