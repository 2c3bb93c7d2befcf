import { expect, test } from '@playwright/test';

// Every page is checked for CSP violations and console errors in crawl.spec.ts; these are the
// flows that run code only after interaction.
test(
	'search (WebAssembly) and the 404 page run without a CSP violation or a console error',
	// The CSP comes from nginx's headers in production and from the page under `npm start`.
	{ tag: ['@server', '@preview'] },
	async ({ page }) => {
		const problems: string[] = [];
		await page.addInitScript(() => {
			document.addEventListener('securitypolicyviolation', (e) => {
				console.error(
					`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
				);
			});
		});
		page.on('console', (m) => {
			// Chrome reports the 404 page's own status as an error; that one is the point of the page.
			const ownStatus =
				m.text().includes('status of 404') && m.location().url.endsWith('/no-such-page/');
			if (m.type() === 'error' && !ownStatus) problems.push(`${page.url()}: ${m.text()}`);
		});
		page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
		// Search uses WebAssembly, which the policy must allow without 'unsafe-eval'.
		await page.goto('search/?q=waypoint');
		await expect(page.locator('main .search-results [role="option"]').first()).toBeVisible();
		// The 404 page: its suggestions, then its search.
		await page.goto('no-such-page/');
		await expect(page.locator('[data-closest]')).not.toContainText('Looking');
		// Enter is the intent that loads the search code; it searches once the code is there.
		await page.locator('main input[type="search"]').press('Enter');
		await expect(page.locator('main [data-search-panel][data-ready]')).toBeAttached();
		await expect(page.locator('main .search-status')).not.toBeEmpty();
		await expect(page).toHaveURL(/no-such-page\/\?q=no\+such\+page$/);
		expect(problems).toEqual([]);
	}
);
