// Runs axe-core (the accessibility rules engine) inside a Chromium page and returns what it
// found, for the WCAG 2.2 A and AA rules. axe needs JavaScript (its timers do not run in a tab
// with scripts switched off), so audit pages in a tab with JavaScript on; the pages' own
// no-JavaScript behaviour is tested in test/web/browser.test.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The tags of the WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA. */
export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export type AxeFinding = { rule: string; impact: string; help: string; targets: string[] };

export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(axeSource); // page.evaluate is not subject to the page's CSP
  return page.evaluate(async (tags) => {
    type AxeResult = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> };
    const scope = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: unknown): Promise<AxeResult> } };
    const result = await scope.axe.run(scope.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ rule: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  }, WCAG_22_AA);
}
