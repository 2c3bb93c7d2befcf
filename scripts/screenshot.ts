import { chromium } from '@playwright/test';
import { launchOptions } from '../e2e/browser.ts';

/** Usage: npx node scripts/screenshot.ts URL OUT.png [width] [light|dark] */
const [url = 'http://localhost:4321/', out = '/tmp/shot.png', width = '1280', scheme = 'light'] =
	process.argv.slice(2);
const browser = await chromium.launch(launchOptions());
const page = await browser.newPage({
	viewport: { width: Number(width), height: 900 },
	colorScheme: scheme === 'dark' ? 'dark' : 'light',
});
await page.goto(url);
if (process.env['SEL']) await page.locator(process.env['SEL']).first().scrollIntoViewIfNeeded();
await page.screenshot({ path: out, fullPage: process.env['FULL'] === '1' });
await browser.close();
