import { expect, test } from '@playwright/test';
import { axe, colourRules } from './axe';

// Every page is audited in both themes by crawl.spec.ts; these are states reached by interaction.

// The themes differ only in colours (crawl.spec.ts holds the CSS to that): all rules in the
// dark theme, the colour rules in the light one.
const themed = (scheme: 'light' | 'dark') => (scheme === 'light' ? { rules: colourRules } : {});

for (const scheme of ['light', 'dark'] as const) {
	test.describe(`axe, ${scheme} theme`, () => {
		test('search results, in the header dialog and on the search page', async ({ page }) => {
			await page.emulateMedia({ colorScheme: scheme });
			await page.goto('search/?q=mtls');
			await expect(page.locator('main [role="option"]').first()).toBeVisible();
			expect(await axe(page, themed(scheme))).toEqual([]);
			await page.goto('./');
			await page.keyboard.press('/');
			await page.locator('#dialog-search-q').fill('waypoint');
			await expect(page.locator('#dialog-search-results [role="option"]').first()).toBeVisible();
			await page.keyboard.press('ArrowDown');
			await expect(page.locator('#dialog-search-results [aria-selected="true"]')).toBeVisible();
			expect(await axe(page, themed(scheme))).toEqual([]);
		});
	});
}
