/**
 * "Did you mean" for the 404 page: ranks the site's pages by how close their address and title
 * are to a broken address. Runs in the browser on a list of links the page already carries, so
 * a mistyped or outdated link finds its page without downloading the search index.
 */

export interface Candidate {
	href: string;
	title: string;
}

/** Lower-case words of an address or title; file endings and the 404 page's own name dropped. */
export function words(text: string): string[] {
	return text
		.toLowerCase()
		.replace(/\.html?$/, '')
		.split(/[^a-z0-9]+/)
		.filter((w) => w && w !== 'index' && w !== '404');
}

/** Edit distance (insertions, deletions, substitutions), for typos such as "instal". */
export function editDistance(a: string, b: string): number {
	let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
		}
		prev = row;
	}
	return prev[b.length] ?? 0;
}

/** How well one word matches the best of `pool`: 1 for the same word, less for a near miss. */
function wordMatch(word: string, pool: string[]): number {
	let best = 0;
	for (const w of pool) {
		if (w === word) return 1;
		if (word.length >= 4 && w.length >= 4 && (w.startsWith(word) || word.startsWith(w)))
			best = Math.max(best, 0.8);
		const d = editDistance(word, w);
		const sim = 1 - d / Math.max(word.length, w.length);
		if (sim >= 0.75) best = Math.max(best, sim * 0.9);
	}
	return best;
}

/**
 * Up to `limit` candidates whose address or title shares most of the broken address's words
 * (exact words count fully, typos and prefixes partly), best first. An address with no words
 * (the 404 page itself) has no close pages.
 */
export function closestPages(
	brokenPath: string,
	candidates: Candidate[],
	base = '/',
	limit = 3
): Candidate[] {
	const path = brokenPath.startsWith(base) ? brokenPath.slice(base.length) : brokenPath;
	const wanted = words(path);
	if (wanted.length === 0) return [];
	const scored = candidates.map((c, order) => {
		const own = words(c.href.startsWith(base) ? c.href.slice(base.length) : c.href);
		const pool = [...own, ...words(c.title)];
		const hit = wanted.reduce((n, w) => n + wordMatch(w, pool), 0) / wanted.length;
		// Among equals, the page whose address has fewer extra words is the closer one.
		const extra = own.filter((w) => wordMatch(w, wanted) === 0).length;
		return { c, score: hit - extra * 0.02, order };
	});
	return scored
		.filter((s) => s.score >= 0.5)
		.sort((a, b) => b.score - a.score || a.order - b.order)
		.slice(0, limit)
		.map((s) => s.c);
}
