import { expect, test } from '@playwright/test';
import { sitemapPaths } from './site';

test('no page requests anything from another host', async ({ page, baseURL }) => {
	test.setTimeout(300_000);
	const own = new URL(baseURL ?? '').host;
	const foreign: string[] = [];
	page.on('request', (req) => {
		const url = new URL(req.url());
		if (url.protocol !== 'data:' && url.host !== own) foreign.push(`${page.url()} -> ${req.url()}`);
	});
	for (const path of [...sitemapPaths(), 'no-such-page/']) {
		await page.goto(path);
		await page.waitForLoadState('networkidle');
	}
	expect(foreign).toEqual([]);
});
