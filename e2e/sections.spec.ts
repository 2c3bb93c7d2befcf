import { expect, test } from '@playwright/test';
import { viaNginx } from './site';

test('a section folder lists its pages in reading order, each linking to the page', async ({
	page,
}) => {
	await page.goto('istio/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Istio');
	// The same pages, in the same order, as the sidebar's Istio section.
	const sidebar = (
		await page.locator('#site-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
	).filter((h) => /\/istio\/[^/]+\/$/.test(h ?? ''));
	const listed = await page
		.locator('main li > a')
		.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
	expect(listed.length).toBeGreaterThan(3);
	expect(listed).toEqual(sidebar);
	await page.locator('main li > a').first().click();
	await expect(page).toHaveURL(/\/istio\/[a-z-]+\/$/);
});

test('a folder whose pages sit in several sidebar sections groups them by section', async ({
	page,
}) => {
	await page.goto('concepts/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Concepts');
	await expect(page.locator('main h2')).toHaveText(['Start here', 'Networking']);
});

test(
	'an address without its trailing slash reaches the page at its own address',
	{ tag: '@server' },
	async ({ page }) => {
		test.skip(!viaNginx(test.info()), 'the redirect is the production nginx configuration’s');
		const res = await page.goto('istio/install?ph.namespace=shop');
		expect(res?.status()).toBe(200);
		await expect(page).toHaveURL(/\/istio\/install\/\?ph\.namespace=shop$/);
		await expect(page.getByRole('heading', { level: 1 })).toContainText('Install Istio');
	}
);
