import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeServiceWorker } from '../src/offline/service-worker';
import { startStaticServer } from './static-server';

test.use({ serviceWorkers: 'allow' });

async function waitUntilOffline(page: Page) {
	// The whole site is precached: over 500 files since every answer gained a Markdown twin and
	// a history, which takes a while on a loaded two-core machine.
	await expect(page.locator('kb-offline .offline-label')).toHaveText('Available offline', {
		timeout: 150_000,
	});
}

async function searchFirstHit(page: Page, query: string) {
	await page.keyboard.press('/');
	await page.locator('#dialog-search-q').fill(query);
	const first = page.locator('#dialog-search-results a[role="option"]').first();
	await expect(first).toBeVisible({ timeout: 15_000 });
	return first.getAttribute('href');
}

test('after one visit every page opens and search works with the network off', async ({
	page,
	context,
}) => {
	test.setTimeout(240_000);
	await page.goto('./');
	await waitUntilOffline(page);
	// A progress message that arrives late (they travel apart from controllerchange) changes nothing.
	await page.evaluate(() =>
		navigator.serviceWorker.dispatchEvent(
			new MessageEvent('message', { data: { type: 'kb-progress', done: 521, total: 521 } })
		)
	);
	await expect(page.locator('kb-offline .offline-label')).toHaveText('Available offline');
	await context.setOffline(true);
	for (const path of ['istio/install/', 'linkerd/security/', 'faq/']) {
		const response = await page.goto(path);
		expect(response?.ok(), path).toBe(true);
		await expect(page.locator('h1')).toBeVisible();
	}
	// Search works offline, typo correction (which needs the vocabulary file) included.
	expect(await searchFirstHit(page, 'ztunnel-config')).toMatch(/\/(istio|faq)\//);
	await page.locator('#dialog-search-q').fill('linkred install');
	await expect(
		page.locator('#dialog-search-results').locator('xpath=..').locator('.search-notice')
	).toContainText('Showing results for linkerd install');
	await context.setOffline(false);
});

test('a new build replaces the old offline copy completely', async ({ page }) => {
	test.setTimeout(400_000);
	const dir = mkdtempSync(join(tmpdir(), 'kb-site-'));
	cpSync('dist', dir, { recursive: true });
	const server = await startStaticServer(dir, '/');
	try {
		await page.goto(server.url);
		await waitUntilOffline(page);
		const oldCaches = await page.evaluate(() => caches.keys());
		expect(oldCaches).toHaveLength(1);

		// "Rebuild": change a page and write the service worker again, as the build does.
		const home = join(dir, 'index.html');
		writeFileSync(
			home,
			readFileSync(home, 'utf8').replace(
				'Pick the job you came for.',
				'Pick the job you came for. (rebuilt)'
			)
		);
		writeServiceWorker(dir, '/');

		await page.reload();
		const update = page.getByRole('button', { name: 'Update now' });
		await expect(update).toBeVisible({ timeout: 60_000 });
		await update.click();
		await expect(page.getByText('(rebuilt)')).toBeVisible({ timeout: 30_000 });
		await waitUntilOffline(page);
		const newCaches = await page.evaluate(() => caches.keys());
		expect(newCaches).toHaveLength(1);
		expect(newCaches[0]).not.toBe(oldCaches[0]);
	} finally {
		await server.close();
		rmSync(dir, { recursive: true, force: true });
	}
});

test.describe('under a sub-path', () => {
	test.skip(!existsSync('dist-subpath/index.html'), 'needs the sub-path build (npm test makes it)');

	test('search results link under the sub-path, and the site works offline', async ({
		page,
		context,
	}) => {
		test.setTimeout(300_000);
		const server = await startStaticServer('dist-subpath', '/docs/mesh/');
		try {
			await page.goto(`${server.url}istio/install/`);
			const href = await searchFirstHit(page, 'MeshTLSAuthentication');
			expect(href).toMatch(/^\/docs\/mesh\/linkerd\//);
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
