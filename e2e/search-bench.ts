import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { parse } from 'yaml';

export interface BenchQuery {
	q: string;
	/** The URL a good search returns, or several when each is a right answer; none for `empty`. */
	expect?: string | string[];
	/**
	 * typed (the default): what readers type; typo: misspellings of site words; error: messages
	 * pasted whole; empty: words that are nowhere on the site, where the right answer is no list.
	 * upstream-question and upstream-error: held-out queries copied from the upstream trackers;
	 * tuning: more upstream queries, used while tuning.
	 */
	set?: (typeof sets)[number];
	/** The upstream issue the query was copied from (`istio/istio#12345`). */
	ref?: string;
	/** False when the site has no answer yet: left out of recall, listed with its `topic`. */
	answered?: boolean;
	topic?: string;
}

export const sets = [
	'typed',
	'typo',
	'error',
	'empty',
	'tuning',
	'upstream-question',
	'upstream-error',
] as const;

/** Sets that must never shape the search: the asked: fields may not quote them. */
export const heldOut: readonly BenchQuery['set'][] = ['upstream-question', 'upstream-error'];

export interface BenchResult extends BenchQuery {
	/** 1-based rank of the expected URL among the hits, or 0 when missing. */
	rank: number;
	/** Milliseconds from the keystroke to rendered results. */
	ms: number;
	hits: string[];
	/** The panel said nothing matches and offered ways on (suggestions or links). */
	honestEmpty: boolean;
}

/** Every query file in bench/, each checked: a query needs an expectation or a missing topic. */
export function loadQueries(dir = 'bench'): BenchQuery[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.yaml'))
		.sort()
		.flatMap((f) => {
			const list = parse(readFileSync(join(dir, f), 'utf8')) as BenchQuery[];
			list.forEach((query, i) => {
				const where = `${dir}/${f}, query ${i + 1} (${JSON.stringify(query.q)})`;
				if (query.set && !sets.includes(query.set))
					throw new Error(`${where}: set must be one of ${sets.join(', ')}`);
				if (query.answered === false && !query.topic)
					throw new Error(`${where}: an unanswered query names the missing topic (topic: ...)`);
				if (query.set !== 'empty' && query.answered !== false && !query.expect)
					throw new Error(`${where}: give the answer that should come first (expect: /faq/<id>/)`);
			});
			return list;
		});
}

/** A hit matches when path and fragment equal the expected URL (a page-only expectation matches any section of it). */
export function matches(hit: string, expected: string, base: string): boolean {
	const u = new URL(hit, 'http://x');
	const path = u.pathname.startsWith(base) ? `/${u.pathname.slice(base.length)}` : u.pathname;
	const [ePath, eHash] = expected.split('#');
	return path === ePath && (!eHash || u.hash === `#${eHash}`);
}

/** Opens the search dialog on `start`, then runs each query as a reader would type it. */
export async function runSearchBenchmark(
	page: Page,
	queries: BenchQuery[],
	base = '/',
	start = ''
): Promise<BenchResult[]> {
	await page.goto(start);
	// A first visit also saves the site for offline use; time search once that has settled.
	await expect(page.locator('kb-offline .offline-label')).not.toHaveText(/Checking|Saving/, {
		timeout: 150_000,
	});
	await page.keyboard.press('/');
	const input = page.locator('#dialog-search-q');
	await input.waitFor();
	// Timings measure a warm index: the first keystroke starts loading the rest of the index and
	// the page texts (kb:warm when done), as it does for a reader.
	const warm = page.evaluate(
		() => new Promise((resolve) => document.addEventListener('kb:warm', resolve, { once: true }))
	);
	await input.fill('mesh');
	await warm;
	const out: BenchResult[] = [];
	for (const query of queries) {
		const ms = await page.evaluate(
			(q) =>
				new Promise<number>((resolve) => {
					const el = document.querySelector<HTMLInputElement>('#dialog-search-q');
					if (!el) return resolve(-1);
					const t0 = performance.now();
					document.addEventListener('kb:results', () => resolve(performance.now() - t0), {
						once: true,
					});
					el.value = q;
					el.dispatchEvent(new Event('input', { bubbles: true }));
				}),
			query.q
		);
		const hits = await page
			.locator('#dialog-search-results a[role="option"]')
			.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
		const wanted = Array.isArray(query.expect) ? query.expect : query.expect ? [query.expect] : [];
		const rank = hits.findIndex((h) => wanted.some((w) => matches(h, w, base))) + 1;
		const notice = page
			.locator('#dialog-search-results')
			.locator('xpath=..')
			.locator('.search-notice');
		const honestEmpty =
			hits.length === 0 &&
			(await notice.isVisible()) &&
			/Nothing on this site matches/.test((await notice.textContent()) ?? '') &&
			(await notice.locator('a, button').count()) > 0;
		out.push({ ...query, rank, ms, hits, honestEmpty });
	}
	return out;
}

/**
 * Recall over the queries the site can answer (unanswered ones are counted apart), the share of
 * honest empties, and timings over every query of the set.
 */
export function summarise(results: BenchResult[], set?: BenchQuery['set']) {
	const mine = set ? results.filter((r) => (r.set ?? 'typed') === set) : results;
	const answered = mine.filter((r) => r.answered !== false);
	const n = answered.length;
	const at = (k: number) =>
		answered.filter((r) => r.rank > 0 && r.rank <= k).length / Math.max(n, 1);
	const times = mine.map((r) => r.ms).sort((a, b) => a - b);
	const pct = (p: number) =>
		times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? 0;
	const honest = mine.filter((r) => r.honestEmpty).length / Math.max(mine.length, 1);
	return {
		n,
		unanswered: mine.length - n,
		recall1: at(1),
		recall3: at(3),
		honest,
		p50: pct(50),
		p95: pct(95),
	};
}

const squash = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * Held-out queries that an answer's `asked:` quotes (or nearly: one contains the other). Each is a
 * leak: the held-out figure would then measure memory, not search.
 */
export function leaks(
	queries: BenchQuery[],
	asked: { id: string; asked: string[] }[]
): { q: string; id: string }[] {
	const out: { q: string; id: string }[] = [];
	for (const query of queries.filter((x) => heldOut.includes(x.set))) {
		const q = squash(query.q);
		for (const a of asked)
			if (
				a.asked.some((text) => {
					const t = squash(text);
					return t === q || (q.length > 24 && t.includes(q)) || (t.length > 24 && q.includes(t));
				})
			)
				out.push({ q: query.q, id: a.id });
	}
	return out;
}
