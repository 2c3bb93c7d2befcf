import type { Browser } from '@playwright/test';
import { startStaticServer } from './static-server.ts';

/**
 * A first visit saves the shell, search (index, page excerpts, vocabulary) and the FAQ, not the
 * whole guide: 176 requests and 0.88 MB at 166 pages, then 223 requests and 1.23 MB at 250 pages
 * (December 2026), against 536 and 5.3 MB when it saved everything. What grows with the guide is
 * what offline search and the FAQ need: Pagefind's excerpt of every indexed page (one request
 * each: 138 files, 199 KB at 250 pages, of the 208 files saved), the FAQ list (264 KB) and the
 * vocabulary (244 KB). Saving excerpts only on "Save the whole guide" would cap the requests at
 * about 85, but search offline would then find pages it cannot show. The budget leaves room for
 * about 60 more answers or pages before it must be looked at again.
 */
export const firstVisitBudget = { requests: 260, bytes: 1.5 * 1024 * 1024 };

export interface FirstVisit {
	page: string;
	requests: number;
	/** Bytes of the response bodies, uncompressed. */
	bytes: number;
	/** The offline line once the first save is done. */
	status: string;
}

/**
 * What a reader's first visit to `page` costs: every request a fresh browser makes, the
 * service worker's included, until the worker reports the first-visit files saved. Counted at
 * the server, so nothing the worker fetches escapes it.
 */
export async function measureFirstVisit(
	browser: Browser,
	dist: string,
	base: string,
	page: string
): Promise<FirstVisit> {
	const served = { requests: 0, bytes: 0 };
	const server = await startStaticServer(dist, base, served);
	const context = await browser.newContext({ serviceWorkers: 'allow' });
	try {
		const tab = await context.newPage();
		await tab.goto(`${server.url}${page}`);
		const label = tab.locator('kb-offline .offline-label');
		await label.filter({ hasText: /^(Available offline|A new version)/ }).waitFor({
			timeout: 300_000,
		});
		// Idle-time loads (search warm-up on intent does not happen: no pointer, no key).
		await tab.waitForLoadState('networkidle');
		return { page, ...served, status: (await label.textContent()) ?? '' };
	} finally {
		await context.close();
		await server.close();
	}
}
