import { expect, test } from '@playwright/test';
import { sitemapPaths } from './site';

test('no page has a CSP violation or a console error', async ({ page }) => {
	test.setTimeout(300_000);
	const problems: string[] = [];
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(
				`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
			);
		});
	});
	page.on('console', (m) => {
		if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
	for (const path of sitemapPaths()) {
		await page.goto(path);
		await page.waitForLoadState('networkidle');
	}
	// Search uses WebAssembly, which the policy must allow without 'unsafe-eval'.
	await page.goto('search/?q=waypoint');
	await expect(page.locator('main .search-results [role="option"]').first()).toBeVisible();
	expect(problems).toEqual([]);
});
