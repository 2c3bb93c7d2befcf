import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { sitemapPaths } from './site';

const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function violations(page: Page): Promise<string[]> {
	const { violations } = await new AxeBuilder({ page }).withTags(tags).analyze();
	return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

for (const scheme of ['light', 'dark'] as const) {
	test.describe(`axe, ${scheme} theme`, () => {
		for (const path of [...sitemapPaths(), 'no-such-page/']) {
			test(`/${path} has no WCAG 2.2 AA violations`, async ({ page }) => {
				await page.emulateMedia({ colorScheme: scheme });
				await page.goto(path);
				// The 404 page suggests pages: audit it with the suggestions in place.
				if (path === 'no-such-page/')
					await expect(page.locator('[data-closest]')).not.toContainText('Looking');
				expect(await violations(page)).toEqual([]);
			});
		}

		test('search results, in the header dialog and on the search page', async ({ page }) => {
			await page.emulateMedia({ colorScheme: scheme });
			await page.goto('search/?q=mtls');
			await expect(page.locator('main [role="option"]').first()).toBeVisible();
			expect(await violations(page)).toEqual([]);
			await page.goto('./');
			await page.keyboard.press('/');
			await page.locator('#dialog-search-q').fill('waypoint');
			await expect(page.locator('#dialog-search-results [role="option"]').first()).toBeVisible();
			await page.keyboard.press('ArrowDown');
			await expect(page.locator('#dialog-search-results [aria-selected="true"]')).toBeVisible();
			expect(await violations(page)).toEqual([]);
		});
	});
}
