import { chromium } from '@playwright/test';
import { launchOptions } from '../e2e/browser.ts';
const browser = await chromium.launch(launchOptions());
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (m) => console.log('console:', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto('http://localhost:4321/istio/install/');
await page.keyboard.press('/');
for (const q of process.argv.slice(2)) {
	await page.locator('#dialog-search-q').fill(q);
	await page.waitForTimeout(600);
	console.log(
		await page.locator('#dialog-search-q').inputValue(),
		await page.locator('.search-status').first().textContent()
	);
	const hits = await page
		.locator('#dialog-search-results li a')
		.evaluateAll((as) =>
			as.map(
				(a) =>
					(a as HTMLAnchorElement).getAttribute('href') +
					' | ' +
					a.querySelector('.hit-page')?.textContent +
					(a.querySelector('.hit-section')?.textContent ?? '')
			)
		);
	console.log(`\n${q}:\n  ${hits.slice(0, 4).join('\n  ')}`);
}
await page.screenshot({ path: '/tmp/search.png' });
await browser.close();
