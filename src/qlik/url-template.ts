/**
 * URL templates of the registration endpoint and of tenant hosts: start-up checks and expansion.
 * Secrets travel to whatever these URLs name, so plain HTTP is allowed only to this machine.
 */
import { isIP } from 'node:net';
import { isDnsName, isRegionCode } from '../shared/contract';

/** The placeholder a template must carry: `{region}` (registration endpoint) or `{hostname}` (tenant host). */
export type TemplatePlaceholder = 'region' | 'hostname';

// Stand-ins used only to check that a template forms a valid URL once expanded.
const SAMPLE_VALUES: Record<TemplatePlaceholder, string> = { region: 'eu', hostname: 'example.eu.qlikcloud.com' };

/** True for 127.0.0.0/8, `localhost` and `[::1]`: the only hosts plain HTTP may be used with. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

function inferPlaceholder(name: string, template: string): TemplatePlaceholder {
  if (/register/i.test(name)) return 'region';
  if (/tenant/i.test(name)) return 'hostname';
  return template.includes('{hostname}') ? 'hostname' : 'region';
}

/**
 * Throws an Error naming `name` unless `template` is a usable URL template: it must contain its placeholder
 * (`{region}` or `{hostname}`; inferred from `name` — REGISTER/TENANT — when not given) and no other, have no
 * user info, query or fragment, and use `https` unless its host is a loopback address.
 * The worker calls this at start-up; {@link createQlikClient} calls it too.
 */
export function assertSafeUrlTemplate(name: string, template: string, placeholder?: TemplatePlaceholder): void {
  const wanted = placeholder ?? inferPlaceholder(name, template);
  // User info in a URL is a password: never echo it back.
  const shown = typeof template === 'string' ? template.replace(/\/\/[^/@]*@/, '//***@') : String(template);
  const fail = (why: string): never => {
    throw new Error(`${name} is not a usable URL template (${JSON.stringify(shown)}): ${why}`);
  };
  if (typeof template !== 'string' || template.trim() === '') fail('it is empty');
  if (!template.includes(`{${wanted}}`)) fail(`it must contain the placeholder {${wanted}}`);
  const others = (template.match(/\{[^}]*\}/g) ?? []).filter((p) => p !== `{${wanted}}`);
  if (others.length > 0) fail(`unknown placeholder ${others[0]} (only {${wanted}} is substituted)`);

  let url: URL;
  try {
    url = new URL(template.split(`{${wanted}}`).join(SAMPLE_VALUES[wanted]));
  } catch {
    return fail('it is not an absolute URL');
  }
  if (url.username !== '' || url.password !== '') fail('it must not carry user info');
  if (url.search !== '' || url.hash !== '') fail('it must not carry a query or fragment (paths are appended to it)');
  if (url.protocol === 'https:') return;
  // With the placeholder in the authority, the host is whatever the input says: never loopback by construction.
  const authority = template.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
  if (url.protocol === 'http:' && !authority.includes(`{${wanted}}`) && isLoopbackHost(url.hostname)) return;
  fail('it must use https (plain http is allowed only to a loopback host: 127.0.0.0/8, localhost, [::1])');
}

/**
 * True when every URL `template` expands to names a loopback host: the host is fixed (the placeholder is not in the
 * authority, where the input would choose the host) and is 127.0.0.0/8, `localhost` or `[::1]`. A local stand-in.
 */
export function isLoopbackTemplate(template: string, placeholder: TemplatePlaceholder): boolean {
  const authority = template.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '';
  if (authority.includes(`{${placeholder}}`)) return false;
  try {
    return isLoopbackHost(new URL(template.split(`{${placeholder}}`).join(SAMPLE_VALUES[placeholder])).hostname);
  } catch {
    return false;
  }
}

/** The base URL for one region or tenant host, without a trailing slash; paths are appended to it. */
export function expandUrlTemplate(template: string, placeholder: TemplatePlaceholder, value: string): string {
  return template.split(`{${placeholder}}`).join(value).replace(/\/+$/, '');
}

/** A region code as sent in URLs, or undefined when it is not a plausible one (it would otherwise shape the URL). */
export function normalizeRegion(region: string): string | undefined {
  const r = typeof region === 'string' ? region.trim().toLowerCase() : '';
  return isRegionCode(r) ? r : undefined;
}

/** A tenant hostname lower-cased, or undefined when it is not a DNS name (it would otherwise shape the URL). */
export function normalizeHostname(hostname: string): string | undefined {
  const h = typeof hostname === 'string' ? hostname.trim().toLowerCase() : '';
  return isDnsName(h) ? h : undefined;
}
