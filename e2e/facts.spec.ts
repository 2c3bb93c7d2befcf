import { expect, test } from '@playwright/test';
import { axe } from './axe';

for (const width of [360, 1280]) {
	for (const scheme of ['light', 'dark'] as const) {
		test.describe(`at ${width} px, ${scheme} theme`, () => {
			test.use({ viewport: { width, height: width === 360 ? 740 : 900 }, colorScheme: scheme });

			test('a page states facts with evidence links and counts them in its footer', async ({
				page,
			}) => {
				await page.goto('reference/defaults/');
				const fact = page.locator('[data-fact="istio-default-retry-attempts"]');
				await expect(fact).toContainText('retries it up to twice by default');
				const link = fact.locator('a.fact-evidence');
				await expect(link).toHaveAttribute(
					'href',
					/^https:\/\/github\.com\/istio\/istio\/blob\/1\.31\.0-rc\.0\/pilot\/pkg\/networking\/core\/route\/retry\/retry\.go#L\d+$/
				);
				await expect(page.locator('.fact-count')).toContainText(
					/\d+ of the \d+ facts on this page/
				);
				// The table still fits: no horizontal scroll of the page itself.
				expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
					width
				);
				await page.screenshot({
					path: `test-results/facts-defaults-${width}-${scheme}.png`,
					fullPage: false,
				});
				expect(await axe(page)).toEqual([]);
			});

			test('the facts page lists every fact under a stable anchor, with holds and evidence', async ({
				page,
			}) => {
				await page.goto('reference/facts/#linkerd-edge-26-8-3-gateway-api-install-hint');
				const entry = page.locator('#linkerd-edge-26-8-3-gateway-api-install-hint');
				await expect(entry).toBeInViewport();
				await expect(entry).toContainText('Holds for');
				await expect(entry).toContainText('Linkerd edge-26.8.3');
				await expect(entry.locator('dd a').first()).toHaveAttribute(
					'href',
					/linkerd\/linkerd2\/blob\/edge-26\.8\.3\/pkg\/healthcheck\/healthcheck\.go#L\d+/
				);
				await expect(page.locator('#linkerd-2-20-gateway-api-install-hint')).toContainText(
					'Linkerd version-2.20'
				);
				expect(await page.locator('.facts li[id]').count()).toBeGreaterThan(60);
				expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
					width
				);
				await page.screenshot({
					path: `test-results/facts-page-${width}-${scheme}.png`,
					fullPage: false,
				});
				expect(await axe(page)).toEqual([]);
			});
		});
	}
}

test('evidence links are plain links: the facts page runs no script of its own', async ({
	page,
}) => {
	const scripts: string[] = [];
	page.on('request', (r) => {
		if (r.resourceType() === 'script') scripts.push(r.url());
	});
	await page.goto('reference/facts/');
	await page.goto('reference/defaults/');
	// Whatever the site loads on every page is fine; nothing is named after facts.
	expect(scripts.filter((s) => /fact/i.test(s))).toEqual([]);
});
