import { disownedShare, stem, type Lexicon } from './correct';
import { stopWords } from './query-plan';

export { stem };

/**
 * How well a query matches the ways a page is asked: its title (an answer's question), the other
 * ways readers ask it (`asked:`) and the error texts it quotes. Pagefind scores words where they
 * stand in the text; a reader's problem is best matched against other readers' phrasings of the
 * same problem, as a whole: "probes fail with 403" is closest to the answer asked that way, not to
 * the page that says "403" most often.
 */

/** The stems of a text's words, without stop words. */
export function stems(text: string): Set<string> {
	return new Set(
		(text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
			.filter((w) => w.length > 1 && !stopWords.has(w))
			.map(stem)
	);
}

interface Phrasings {
	/** Each phrasing of each page, as stems. */
	texts: { url: string; stems: Set<string>; disowned?: boolean | undefined }[];
	/** Pages each stem appears on among the phrasings: how telling it is. */
	df: Map<string, number>;
	pages: number;
}

/** How much of the match depends on the phrasing holding nothing but the query. */
const textShare = 0.5;

const cache = new WeakMap<Lexicon, Phrasings>();

function phrasingsOf(lex: Lexicon): Phrasings {
	const hit = cache.get(lex);
	if (hit) return hit;
	const texts = [
		...[...lex.titles].map(([url, t]) => ({
			url,
			stems: new Set([...t].filter((w) => !stopWords.has(w)).map(stem)),
		})),
		...lex.errors.map((e) => ({ url: e.url, stems: stems(e.text), disowned: e.disowned })),
	];
	const byUrl = new Map<string, Set<string>>();
	for (const t of texts) {
		const all = byUrl.get(t.url) ?? new Set<string>();
		for (const s of t.stems) all.add(s);
		byUrl.set(t.url, all);
	}
	const df = new Map<string, number>();
	for (const all of byUrl.values()) for (const s of all) df.set(s, (df.get(s) ?? 0) + 1);
	const out = { texts, df, pages: byUrl.size };
	cache.set(lex, out);
	return out;
}

/**
 * A query term as the phrasings are read (stems() splits them at punctuation): words joined by a
 * hyphen or slash ("istio-proxy", "namespace/deployment") are their words, or they could never
 * meet "istio proxy" or "namespace"; a name with a dot, colon or underscore
 * ("linkerd.io/inject") stays whole, a name is not the words it is spelt with.
 */
export function queryStems(term: string): string[] {
	return /^[a-z0-9]+(?:[-/][a-z0-9]+)+$/.test(term) ? [...stems(term)] : [stem(term)];
}

/**
 * Each page's best phrasing match: the share of the query's telling weight (rare stems weigh
 * more) that one of its phrasings holds, 0 to 1. Only shares of at least `floor` are returned: a
 * single common word in common is no match.
 */
export function questionMatch(lex: Lexicon, terms: string[], floor = 0.34): Map<string, number> {
	const p = phrasingsOf(lex);
	const q = [...new Set(terms.flatMap(queryStems))];
	const weight = new Map(q.map((s) => [s, Math.log((p.pages + 1) / ((p.df.get(s) ?? 0) + 0.5))]));
	const mass = [...weight.values()].reduce((n, w) => n + Math.max(w, 0), 0);
	const out = new Map<string, number>();
	if (mass === 0 || q.length === 0) return out;
	for (const t of p.texts) {
		let held = 0;
		let shared = 0;
		for (const s of q)
			if (t.stems.has(s)) {
				held += Math.max(weight.get(s) ?? 0, 0);
				shared++;
			}
		if (held / mass < floor) continue;
		// A phrasing that is all query ("Install Linkerd" for "linkerd install") beats one that
		// holds the query among much else ("linkerd install --crds fails about gateway api").
		const share =
			(held / mass) *
			(1 - textShare + (textShare * shared) / Math.max(t.stems.size, 1)) *
			(t.disowned ? disownedShare : 1);
		if (share > (out.get(t.url) ?? 0)) out.set(t.url, share);
	}
	return out;
}
