import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { axe } from './axe';
import { startStaticServer } from './static-server';
import {
	cachedEntries,
	hashes,
	label,
	newWord,
	searchFirstHit,
	startDeployServer,
	twoBuilds,
	waitUntilOffline,
} from './offline-helpers';

test.use({ serviceWorkers: 'allow' });

test(
	'after one visit the visited pages, the FAQ and search work offline; after "Save the whole guide", every page',
	{ tag: '@server' },
	async ({ page, context }) => {
		test.setTimeout(300_000);
		await page.goto('istio/install/');
		await waitUntilOffline(page, /^Available offline: this page, search and the FAQ$/);
		// A progress message that arrives late (they travel apart from controllerchange) changes nothing.
		await page.evaluate(() =>
			navigator.serviceWorker.dispatchEvent(
				new MessageEvent('message', {
					data: {
						type: 'kb-progress',
						text: 'Saving this page, search and the FAQ for offline use: 161 of 161 files',
						first: true,
					},
				})
			)
		);
		await expect(label(page)).toHaveText('Available offline: this page, search and the FAQ');
		const save = page.getByRole('button', {
			name: /^Save the whole guide for offline use \(\d+(\.\d)? MB\)$/,
		});
		await expect(save).toBeVisible();

		await context.setOffline(true);
		for (const path of ['istio/install/', 'faq/', 'istio/install']) {
			const response = await page.goto(path);
			expect(response?.ok(), path).toBe(true);
			await expect(page.locator('h1')).toBeVisible();
		}
		await expect(page).toHaveURL(/\/istio\/install\/$/);
		// Search works offline, typo correction (which needs the vocabulary file) included.
		expect(await searchFirstHit(page, 'ztunnel-config')).toMatch(/\/(istio|faq)\//);
		await page.locator('#dialog-search-q').fill('linkred install');
		await expect(
			page.locator('#dialog-search-results').locator('xpath=..').locator('.search-notice')
		).toContainText('Showing results for linkerd install');
		// A page never opened says so plainly, instead of "Page not found".
		const unsaved = await page.goto('linkerd/security/');
		expect(unsaved?.status()).toBe(503);
		await expect(page.locator('h1')).toHaveText('This page is not saved on this device');

		await context.setOffline(false);
		await page.goto('faq/');
		await page.getByRole('button', { name: /^Save the whole guide/ }).click();
		await waitUntilOffline(page, /^Available offline: the whole guide$/);
		await expect(page.getByRole('button', { name: /^Save the whole guide/ })).toBeHidden();
		await context.setOffline(true);
		for (const path of ['linkerd/security/', 'decide/compare/', 'llms.txt']) {
			const response = await page.goto(path);
			expect(response?.ok(), path).toBe(true);
		}
		await context.setOffline(false);
	}
);

test('a changed build deployed later is picked up on the next page once it is saved, and only then', async ({
	page,
	context,
}) => {
	test.setTimeout(400_000);
	const builds = await twoBuilds();
	const server = await startDeployServer(builds.old, builds.next);
	try {
		await page.goto(`${server.url}faq/`);
		await waitUntilOffline(page);
		const [oldCache] = await page.evaluate(() => caches.keys());

		server.setPhase('new');
		// Reloading finds the new worker; this page keeps saying the truth while it downloads.
		const seen = new Set<string>();
		await page.reload();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Frequently asked questions');
		const texts = label(page);
		await expect
			.poll(
				async () => {
					const t = (await texts.textContent()) ?? '';
					seen.add(t);
					return t;
				},
				{ timeout: 120_000, intervals: [100] }
			)
			.toBe('A new version of the guide is saved: it opens on your next page.');
		for (const t of seen) expect(t).not.toMatch(/^Saving/);

		// The next navigation opens the new build, and the old cache goes.
		await page.goto(server.url);
		await expect(page.getByText('Pick the job you came for. (rebuilt)')).toBeVisible();
		await waitUntilOffline(page);
		await expect.poll(() => page.evaluate(() => caches.keys())).toHaveLength(1);
		const [newCache] = await page.evaluate(() => caches.keys());
		expect(newCache).not.toBe(oldCache);
		// Every saved file is the new build's, the page visited before included.
		const expected = hashes(builds.next);
		const entries = (await cachedEntries(page)).filter((e) => expected.has(e.path));
		expect(entries.map((e) => e.path)).toContain('/faq/');
		for (const e of entries) expect(e.hash, e.path).toBe(expected.get(e.path));

		await context.setOffline(true);
		expect(await searchFirstHit(page, newWord)).toMatch(/\/istio\/install\//);
	} finally {
		await context.setOffline(false);
		await server.close();
	}
});

test('a saved file that fails its check is replaced, not kept', async ({ page, context }) => {
	test.setTimeout(300_000);
	await page.goto('./');
	await waitUntilOffline(page);
	await page.evaluate(async () => {
		const [name] = await caches.keys();
		const cache = await caches.open(name ?? '');
		await cache.put(
			'/faq/',
			new Response('<h1>tampered</h1>', { headers: { 'Content-Type': 'text/html' } })
		);
	});
	// A fresh worker start checks every saved file once.
	const cdp = await context.newCDPSession(page);
	await cdp.send('ServiceWorker.enable');
	await cdp.send('ServiceWorker.stopAllWorkers');
	await page.reload();
	await waitUntilOffline(page);
	await context.setOffline(true);
	await page.goto('faq/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Frequently asked questions');
	await context.setOffline(false);
});

test.describe('the offline line on a phone', () => {
	test.use({ viewport: { width: 360, height: 740 } });

	test('has no WCAG 2.2 AA violations in either theme, and fits the screen', async ({ page }) => {
		test.setTimeout(200_000);
		await page.goto('istio/install/');
		await waitUntilOffline(page);
		const save = page.getByRole('button', { name: /^Save the whole guide/ });
		await save.scrollIntoViewIfNeeded();
		for (const scheme of ['light', 'dark'] as const) {
			await page.emulateMedia({ colorScheme: scheme });
			expect(await axe(page, { include: '.site-footer' }), scheme).toEqual([]);
		}
		const box = await save.boundingBox();
		expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
			360
		);
	});

	test('is not shown without JavaScript', async ({ browser }) => {
		const context = await browser.newContext({ javaScriptEnabled: false });
		const page = await context.newPage();
		await page.goto(`${test.info().project.use.baseURL ?? ''}istio/install/`);
		await expect(page.locator('.site-footer')).toBeVisible();
		await expect(page.locator('kb-offline')).toBeHidden();
		await context.close();
	});
});

/**
 * `npm test` builds the sub-path copy beside the browser tests and names a file it writes when
 * that build ends (its first line `ok` or `failed`); run alone, the test needs the copy already.
 */
const subpathMarker = process.env['KB_SUBPATH_DONE'];

async function subpathBuilt() {
	if (!subpathMarker) return;
	await expect
		.poll(() => existsSync(subpathMarker), {
			message: `the sub-path build (npm test writes ${subpathMarker} when it ends)`,
			timeout: 600_000,
			intervals: [1000],
		})
		.toBe(true);
	expect(readFileSync(subpathMarker, 'utf8').trim(), 'the sub-path build').toBe('ok');
}

test.describe('under a sub-path', () => {
	test.skip(
		!subpathMarker && !existsSync('dist-subpath/index.html'),
		'needs the sub-path build (npm test makes it)'
	);

	test('search results link under the sub-path, and the site works offline', async ({
		page,
		context,
	}) => {
		// Room to wait for the sub-path build, then the five minutes the walk itself may take.
		test.setTimeout(900_000);
		await subpathBuilt();
		const server = await startStaticServer('dist-subpath', '/docs/mesh/');
		try {
			await page.goto(`${server.url}istio/install/`);
			const href = await searchFirstHit(page, 'MeshTLSAuthentication');
			// Under the base exactly once, whichever page ranks first.
			expect(href).toMatch(/^\/docs\/mesh\/(?!docs\/)[a-z-]+\//);
			await page.keyboard.press('Escape');
			await waitUntilOffline(page);
			await context.setOffline(true);
			await page.goto(`${server.url}faq/`);
			await expect(page.getByRole('heading', { level: 1 })).toHaveText(
				'Frequently asked questions'
			);
			expect(await searchFirstHit(page, 'restart pods')).toMatch(/^\/docs\/mesh\//);
		} finally {
			await context.setOffline(false);
			await server.close();
		}
	});
});
