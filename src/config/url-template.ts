import { assertSafeUrlTemplate, isLoopbackHost, type TemplatePlaceholder } from '../qlik/url-template';

/** The problem with a Qlik URL template (see {@link assertSafeUrlTemplate}), naming the variable, or undefined. */
export function checkUrlTemplate(name: string, template: string, placeholder: TemplatePlaceholder): string | undefined {
  try {
    assertSafeUrlTemplate(name, template, placeholder);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The problem with a plain URL that receives signed reports: https unless loopback, no credentials in it. */
export function checkEndpointUrl(name: string, value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name}: is not an absolute URL`;
  }
  if (url.username || url.password) return `${name}: must not carry credentials`;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return undefined;
  return `${name}: must use https (plain http is allowed only to a loopback host)`;
}
