import { expect, test, type Page } from '@playwright/test';
import {
	cachedEntries,
	hashes,
	newWord,
	searchFirstHit,
	startDeployServer,
	twoBuilds,
	waitUntilOffline,
} from './offline-helpers';
import { buildVersion, offlineFiles } from '../src/offline/service-worker';

/**
 * A rolling deploy: two replicas answer in turn, the old build's one first, while the worker
 * installs. The reader must end on one build, with search and pages working online and offline.
 */
test.use({ serviceWorkers: 'allow' });

let builds: Awaited<ReturnType<typeof twoBuilds>>;
test.beforeAll(async () => {
	builds = await twoBuilds();
});

async function expectOneBuild(page: Page, dir: string) {
	await expect.poll(() => page.evaluate(() => caches.keys())).toHaveLength(1);
	const expected = hashes(dir);
	const entries = (await cachedEntries(page)).filter((e) => expected.has(e.path));
	expect(entries.length).toBeGreaterThan(100);
	const wrong = entries.filter((e) => e.hash !== expected.get(e.path)).map((e) => e.path);
	expect(wrong, 'files saved from the other build').toEqual([]);
}

async function searchAndPagesWork(page: Page, site: string) {
	expect(await searchFirstHit(page, newWord)).toMatch(/\/istio\/install\//);
	await page.keyboard.press('Escape');
	// A pasted error is matched to the answer that quotes it: one right answer, from the FAQ's part of the index.
	expect(await searchFirstHit(page, 'RBAC: access denied')).toMatch(/\/faq\/rbac-access-denied\//);
	await page.keyboard.press('Escape');
	for (const path of ['faq/', 'istio/install/']) {
		await page.goto(`${site}${path}`);
		await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	}
	await expect(page.getByText(`This release adds the ${newWord} note.`)).toBeVisible();
}

test('a first visit during a rolling deploy saves one build, and search works online and offline', async ({
	page,
	context,
}) => {
	test.setTimeout(300_000);
	const server = await startDeployServer(builds.old, builds.next);
	try {
		server.setPhase('rolling');
		await page.goto(`${server.url}istio/install/`);
		await waitUntilOffline(page);
		expect(server.served.old, 'the old replica answered').toBeGreaterThan(20);
		await expectOneBuild(page, builds.next);
		await page.goto(`${server.url}`);
		await searchAndPagesWork(page, server.url);
		await context.setOffline(true);
		await page.goto(`${server.url}`);
		await searchAndPagesWork(page, server.url);
	} finally {
		await context.setOffline(false);
		await server.close();
	}
});

test('a reader on the old build goes through a rolling deploy and ends on the new one', async ({
	page,
	context,
}) => {
	test.setTimeout(400_000);
	const server = await startDeployServer(builds.old, builds.next);
	try {
		await page.goto(`${server.url}istio/install/`);
		await waitUntilOffline(page);
		await expectOneBuild(page, builds.old);

		server.setPhase('rolling');
		for (const path of ['faq/', 'linkerd/install/', 'istio/install/', 'decide/compare/']) {
			await page.goto(`${server.url}${path}`);
			await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
		}
		// Whatever the replicas answered, the saved copy is still one build.
		const mixed = await cachedEntries(page);
		const oldHashes = hashes(builds.old);
		const nextHashes = hashes(builds.next);
		for (const name of new Set(mixed.map((e) => e.cache))) {
			const entries = mixed.filter((e) => e.cache === name && oldHashes.has(e.path));
			const allOld = entries.every((e) => e.hash === oldHashes.get(e.path));
			const allNew = entries.every((e) => e.hash === nextHashes.get(e.path));
			expect(allOld || allNew, `cache ${name} mixes builds`).toBe(true);
		}

		server.setPhase('new');
		await page.goto(`${server.url}faq/`);
		// The new build is saved (it may already have taken over on a page opened while rolling).
		const next = `kb-${buildVersion(offlineFiles(builds.next, '/'))}`;
		await expect
			.poll(
				() =>
					page.evaluate(async () => {
						const reg = await navigator.serviceWorker.getRegistration();
						return reg?.installing ? [] : caches.keys();
					}),
				{ timeout: 150_000 }
			)
			.toContain(next);
		await page.goto(`${server.url}`);
		await expect(page.getByText('Pick the job you came for. (rebuilt)')).toBeVisible();
		await waitUntilOffline(page);
		await expectOneBuild(page, builds.next);
		await context.setOffline(true);
		await searchAndPagesWork(page, server.url);
	} finally {
		await context.setOffline(false);
		await server.close();
	}
});
