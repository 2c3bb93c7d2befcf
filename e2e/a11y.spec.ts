import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sitemapPaths } from './site';

const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

for (const scheme of ['light', 'dark'] as const) {
	test.describe(`axe, ${scheme} theme`, () => {
		for (const path of [...sitemapPaths(), 'no-such-page/']) {
			test(`/${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
				await page.emulateMedia({ colorScheme: scheme });
				await page.goto(path);
				const { violations } = await new AxeBuilder({ page }).withTags(tags).analyze();
				const summary = violations.map(
					(v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
				);
				expect(summary).toEqual([]);
			});
		}
	});
}
