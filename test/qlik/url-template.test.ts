import { assertSafeUrlTemplate, isLoopbackHost } from '../../src/qlik/url-template';

describe('assertSafeUrlTemplate', () => {
  it.each([
    ['QLIK_REGISTER_URL_TEMPLATE', 'https://register.{region}.qlikcloud.com'],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://127.0.0.1:8090/register/{region}'],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://127.8.9.10/register/{region}/'],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://localhost:8090/register/{region}'],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://[::1]:8090/register/{region}'],
    ['QLIK_TENANT_URL_TEMPLATE', 'https://{hostname}'],
    ['QLIK_TENANT_URL_TEMPLATE', 'https://proxy.example.com/tenants/{hostname}'],
    ['QLIK_TENANT_URL_TEMPLATE', 'http://127.0.0.1:8090/tenant/{hostname}'],
  ])('accepts %s=%s', (name, template) => {
    expect(() => assertSafeUrlTemplate(name, template)).not.toThrow();
  });

  it.each([
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://register.{region}.qlikcloud.com', /https/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://10.0.0.1/register/{region}', /https/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://localhost.evil.com/register/{region}', /https/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'http://127.0.0.1.nip.io/register/{region}', /https/],
    ['QLIK_TENANT_URL_TEMPLATE', 'http://{hostname}', /https/],
    ['QLIK_TENANT_URL_TEMPLATE', 'ftp://127.0.0.1/{hostname}', /https/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'https://register.qlikcloud.com', /\{region\}/],
    ['QLIK_TENANT_URL_TEMPLATE', 'https://register.{region}.qlikcloud.com', /\{hostname\}/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'https://register.{region}.qlikcloud.com/{tenant}', /unknown placeholder/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'https://user:pw@register.{region}.qlikcloud.com', /user info/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'https://register.{region}.qlikcloud.com?x=1', /query/],
    ['QLIK_REGISTER_URL_TEMPLATE', 'register.{region}.qlikcloud.com', /absolute URL/],
    ['QLIK_REGISTER_URL_TEMPLATE', '', /empty/],
  ])('refuses %s=%s', (name, template, why) => {
    expect(() => assertSafeUrlTemplate(name, template)).toThrow(why);
  });

  it('names the setting in its message', () => {
    expect(() => assertSafeUrlTemplate('QLIK_TENANT_URL_TEMPLATE', 'http://{hostname}')).toThrow(
      /^QLIK_TENANT_URL_TEMPLATE is not a usable URL template/,
    );
  });

  it('takes the placeholder explicitly when the name does not say', () => {
    expect(() => assertSafeUrlTemplate('base', 'https://{hostname}', 'hostname')).not.toThrow();
    expect(() => assertSafeUrlTemplate('base', 'https://{hostname}', 'region')).toThrow(/\{region\}/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['[::1]', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
    ['[::2]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
