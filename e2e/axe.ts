import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type axeCore from 'axe-core';
import { expect, type Page } from '@playwright/test';

const axeSource = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);

/** WCAG 2.2 AA: what every page and every state of a page must pass. */
export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The rules that read colours: the only ones whose answer can change with the theme. */
export const colourRules = ['color-contrast', 'link-in-text-block'];

/**
 * Runs axe-core in the page itself and returns each violation as `rule: selectors`.
 *
 * `AxeBuilder.analyze()` of @axe-core/playwright injects axe into every frame, runs it in parts
 * and assembles the result in a new blank page: about 5 s a call here, against under 1 s for
 * axe.run on an ordinary page. The site has no frames, so axe.run in the page checks exactly
 * the same; a page that gains a frame fails here rather than going unaudited.
 *
 * axe goes in through the DevTools protocol rather than `page.evaluate`: Playwright's evaluate of
 * a 650 KB source took 0.7 to 1 s a page here, Runtime.evaluate 0.13 to 0.18 s (Chrome caches
 * the compiled script), and the crawl injects it into every page of the site.
 */
export async function axe(
	page: Page,
	{
		rules,
		include,
		exclude,
		disable = [],
	}: { rules?: string[]; include?: string; exclude?: string[]; disable?: string[] } = {}
): Promise<string[]> {
	expect(page.frames(), 'frames (axe runs in the top document only)').toHaveLength(1);
	if (!(await page.evaluate(() => 'axe' in window))) {
		const cdp = await page.context().newCDPSession(page);
		const { exceptionDetails } = await cdp.send('Runtime.evaluate', { expression: axeSource });
		await cdp.detach();
		expect(exceptionDetails?.text, 'axe-core loads in the page').toBeUndefined();
	}
	const runOnly = rules
		? { type: 'rule' as const, values: rules }
		: { type: 'tag' as const, values: wcagTags };
	const violations = await page.evaluate(
		async ({ runOnly, include, exclude, disable }) => {
			const { axe } = window as unknown as { axe: typeof axeCore };
			const context = exclude
				? { include: [include ?? 'html'], exclude: exclude.map((e) => [e]) }
				: include
					? { include: [include] }
					: document;
			const result = await axe.run(context, {
				runOnly,
				rules: Object.fromEntries(disable.map((id) => [id, { enabled: false }])),
				resultTypes: ['violations'],
			});
			return result.violations.map((v) => ({
				id: v.id,
				targets: v.nodes.map((n) => n.target.join(' ')),
			}));
		},
		{ runOnly, include, exclude, disable }
	);
	return violations.map((v) => `${v.id}: ${v.targets.join(', ')}`);
}
