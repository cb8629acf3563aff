// A minimal browser for tests: a cookie jar, manual redirects, and HTML form helpers.
// It never follows a redirect off the provider's origin, so tests see what the ISP receives.
import { parse, type HTMLElement } from 'node-html-parser';

export type Page = { status: number; url: string; headers: Headers; html: string; document: HTMLElement };

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin: string, readonly headers: Record<string, string> = {}) {}

  private store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!) < new Date()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    const headers = new Headers({ ...this.headers, ...(init.headers as Record<string, string> | undefined) });
    if (target.origin === new URL(this.origin).origin && this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }

  /** Follows redirects within the provider; stops at the first one leaving it (to the ISP). */
  async navigate(url: string, init: RequestInit = {}): Promise<Page | { redirectedTo: URL; status: number }> {
    let response = await this.request(url, init);
    let current = new URL(url, this.origin);
    for (let hops = 0; hops < 20 && response.status >= 300 && response.status < 400; hops += 1) {
      const next = new URL(response.headers.get('location')!, current);
      if (next.origin !== new URL(this.origin).origin) return { redirectedTo: next, status: response.status };
      current = next;
      response = await this.request(next.href);
    }
    const html = await response.text();
    return { status: response.status, url: current.href, headers: response.headers, html, document: parse(html) };
  }

  /** Submits the form matching `selector` on `page` with `fields` overriding its inputs. */
  /** A field given as an array replaces every value of that name (e.g. which checkboxes are ticked). */
  async submit(page: Page, selector: string, fields: Record<string, string | string[]> = {}, button?: { name: string; value: string }) {
    const form = page.document.querySelector(selector);
    if (!form) throw new Error(`no form ${selector} on ${page.url}:\n${page.html.slice(0, 500)}`);
    const body = new URLSearchParams();
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      const type = input.getAttribute('type');
      const unchecked = (type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked');
      if (name && type !== 'submit' && !unchecked) body.append(name, input.getAttribute('value') ?? '');
    }
    for (const select of form.querySelectorAll('select')) {
      const name = select.getAttribute('name');
      const chosen = select.querySelector('option[selected]') ?? select.querySelector('option');
      if (name && chosen) body.set(name, chosen.getAttribute('value') ?? '');
    }
    for (const [k, v] of Object.entries(fields)) {
      body.delete(k);
      for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
    }
    if (button) body.set(button.name, button.value);
    const action = new URL(form.getAttribute('action') ?? page.url, page.url).href;
    return this.navigate(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  }
}

export function isPage(result: Page | { redirectedTo: URL }): result is Page {
  return 'html' in result;
}
