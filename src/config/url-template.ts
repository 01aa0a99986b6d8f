const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Checks a URL (template): parseable once its placeholder is filled, `https` unless the host is a loopback
 * address, and carrying the placeholder it needs. Returns the problem, naming the variable, or undefined.
 */
export function checkUrlTemplate(name: string, template: string, placeholder: string | undefined): string | undefined {
  if (placeholder && !template.includes(placeholder)) return `${name}: "${template}" must contain ${placeholder}`;
  let url: URL;
  try {
    url = new URL(template.replace(/\{region\}/g, 'eu').replace(/\{hostname\}/g, 'tenant.example.com'));
  } catch {
    return `${name}: "${template}" is not a URL`;
  }
  if (url.username || url.password) return `${name}: must not carry credentials`;
  if (url.search || url.hash) return `${name}: must not have a query or fragment`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname)) return undefined;
  return `${name}: must use https (plain http is allowed only for a loopback host such as 127.0.0.1)`;
}
