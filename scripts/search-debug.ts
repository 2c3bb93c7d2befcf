import { chromium } from '@playwright/test';
import { launchOptions } from '../e2e/browser.ts';
const browser = await chromium.launch(launchOptions());
const page = await browser.newPage();
await page.goto('http://localhost:4321/search/');
const r = await page.evaluate(async (q) => {
	const pf = (await import('/pagefind/pagefind.js')) as any;
	await pf.init();
	const a = await pf.search(q);
	const d = await a.results[0].data();
	return { url: d.url, subs: d.sub_results.map((s: any) => [s.url, s.excerpt.slice(0, 120), (s.weighted_locations ?? []).reduce((n: number, l: any) => n + l.balanced_score, 0).toFixed(1)]) };
}, process.argv[2]);
console.log(JSON.stringify(r, null, 1));
await browser.close();
