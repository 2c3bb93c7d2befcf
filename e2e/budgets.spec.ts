import { expect, test } from '@playwright/test';
import { sitemapPaths } from './site';

const KB = 1024;

test('in the browser, nothing a page fetches before interaction breaks the budget, idle-time loads included', async ({
	page,
}) => {
	test.setTimeout(600_000);
	const over: string[] = [];
	let widest = { page: '', css: 0, js: 0 };
	for (const path of sitemapPaths()) {
		const sizes = { css: 0, js: 0 };
		const pending: Promise<void>[] = [];
		const onResponse = (r: import('@playwright/test').Response) => {
			const type = r.request().resourceType();
			if (type !== 'script' && type !== 'stylesheet') return;
			pending.push(
				r
					.body()
					.then((b) => {
						sizes[type === 'script' ? 'js' : 'css'] += b.length;
					})
					.catch(() => undefined)
			);
		};
		page.on('response', onResponse);
		await page.goto(path, { waitUntil: 'load' });
		// Let the page go idle (requestIdleCallback work included) and the network settle.
		await page.evaluate(
			() => new Promise((r) => requestIdleCallback(() => r(null), { timeout: 3000 }))
		);
		await page.waitForLoadState('networkidle');
		await Promise.all(pending);
		page.off('response', onResponse);
		if (sizes.css + sizes.js > widest.css + widest.js) widest = { page: path, ...sizes };
		if (sizes.css + sizes.js > 30 * KB || sizes.js > 12 * KB)
			over.push(`/${path}: CSS ${sizes.css} B, JS ${sizes.js} B`);
	}
	console.log(
		`heaviest page before interaction: /${widest.page}, CSS ${widest.css} B, JS ${widest.js} B`
	);
	expect(over).toEqual([]);
});

test('no visible layout shift (CLS under 0.001) while the theme and fonts settle', async ({
	page,
}) => {
	test.setTimeout(300_000);
	await page.addInitScript(() => {
		localStorage.setItem('kb-theme', 'dark');
		(window as unknown as { cls: number }).cls = 0;
		const w = window as unknown as { cls: number; shifted: string[] };
		w.shifted = [];
		new PerformanceObserver((list) => {
			type Shift = PerformanceEntry & {
				value: number;
				sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[];
			};
			for (const e of list.getEntries() as Shift[]) {
				w.cls += e.value;
				for (const s of e.sources) {
					const el =
						s.node instanceof Element
							? `${s.node.tagName}.${s.node.className}`
							: (s.node?.nodeName ?? '?');
					w.shifted.push(
						`${el} ${Math.round(s.previousRect.x)},${Math.round(s.previousRect.y)} -> ${Math.round(s.currentRect.x)},${Math.round(s.currentRect.y)}`
					);
				}
			}
		}).observe({ type: 'layout-shift', buffered: true });
	});
	for (const path of sitemapPaths()) {
		await page.goto(path);
		await page.evaluate(() => document.fonts.ready);
		await page.waitForTimeout(200);
		const { cls, shifted } = await page.evaluate(() => {
			const w = window as unknown as { cls: number; shifted: string[] };
			return { cls: w.cls, shifted: w.shifted };
		});
		// Chrome sometimes paints a half-parsed header a few pixels off (about 0.00002) on a
		// loaded machine; anything a reader could notice is far above a thousandth.
		expect(cls, `${path}: ${shifted.join('; ')}`).toBeLessThan(0.001);
	}
});

test('the only inline script is the theme script, once per page', async ({ page }) => {
	test.setTimeout(300_000);
	for (const path of sitemapPaths()) {
		await page.goto(path);
		const inline = await page
			.locator(
				'script:not([src]):not([type="module"]):not([type="application/json"]):not([type="application/ld+json"])'
			)
			.count();
		expect(inline, path).toBe(1);
	}
});
