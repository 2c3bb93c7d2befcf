/**
 * Readers type questions ("do I need to restart pods after enabling linkerd"), but Pagefind only
 * returns pages that contain every term. This module turns what was typed into an ordered list
 * of searches: the query as typed first (exact matches stay on top), then without stop words,
 * with synonyms, and finally the most selective terms on their own.
 */

/** Words that carry no meaning for this site's search. */
export const stopWords = new Set(
	`a about after all also am an and any are as at be been before being but by can could do does
	doing done during each for from get gets got had has have having how i if in into is it its just
	me might my need needs no not of on once one only or our out over own should so some such than
	that the their them then there these they this those through to too under until up use using very
	was we were what when where which while who why will with would you your after enabling enable
	make sure way ways work works working`
		.split(/\s+/)
		.filter(Boolean)
);

/** Groups of terms that mean the same thing here; any one finds pages with the others. */
export const synonymGroups: string[][] = [
	['mtls', 'mutual tls'],
	['ambient', 'sidecarless'],
	['authz', 'authorization', 'authorisation'],
	['authn', 'authentication'],
	['k8s', 'kubernetes'],
	['restart', 'rollout restart'],
	['crd', 'crds', 'customresourcedefinition'],
	['canary', 'traffic shifting', 'traffic split'],
	['circuit breaking', 'circuit breaker', 'outlier detection', 'failure accrual'],
	['memory', 'overhead'],
	['upgrade', 'upgrading'],
	['l7', 'http'],
	['deny', 'denies', 'denied'],
];

/** Phrasings of intent that the words alone miss: "not use a mesh" means the "neither" advice. */
export const intentPhrases: { pattern: RegExp; add: string }[] = [
	{
		pattern: /\b(?:not|never|dont|don't|without|avoid)\s+(?:use|need|using|install)\b/,
		add: 'neither premature',
	},
	{ pattern: /\bwhat is\b|\bwhat does\b.*\bmean\b|\bdefine\b/, add: 'glossary' },
];

const maxTerms = 8;
/** Upper bound on searches per keystroke, to keep results under 100 ms. */
const maxSearches = 8;

/** Lower-cases, trims, folds white space, and cuts very long input to a sane length. */
export function normalise(raw: string): string {
	return raw
		.normalize('NFKC')
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s./:=@_-]+/gu, ' ')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 200);
}

/** The words of a normalised query that are not stop words. */
export function keyTerms(query: string): string[] {
	return query
		.split(' ')
		.filter((w) => w && !stopWords.has(w))
		.slice(0, maxTerms);
}

function synonymsOf(term: string): string[] {
	const group = synonymGroups.find((g) => g.includes(term));
	return group ? group.filter((t) => t !== term) : [];
}

/**
 * Searches to run, most specific first, without duplicates. An empty list means there is
 * nothing worth searching for.
 */
export function planQueries(raw: string): string[] {
	const query = normalise(raw);
	if (!query) return [];
	const plan: string[] = [query];
	const terms = keyTerms(query);
	if (terms.length === 0) return plan;
	const core = terms.join(' ');
	plan.push(core);
	// Multi-word synonyms ("mutual tls" for "mtls") are swapped in whole.
	for (const group of synonymGroups) {
		for (const phrase of group) {
			if (!` ${core} `.includes(` ${phrase} `)) continue;
			for (const alt of group)
				if (alt !== phrase) plan.push(` ${core} `.replace(` ${phrase} `, ` ${alt} `).trim());
		}
	}
	for (const intent of intentPhrases) {
		if (intent.pattern.test(query)) plan.push(`${core} ${intent.add}`, intent.add);
	}
	if (terms.length > 2) {
		// Drop one term at a time, keeping the longer (usually more selective) ones.
		const byLength = [...terms].sort((a, b) => b.length - a.length);
		plan.push(byLength.slice(0, 3).join(' '));
		plan.push(byLength.slice(0, 2).join(' '));
	}
	// Single words last, the longest (most selective) first; a few are enough.
	for (const t of [...terms].sort((a, b) => b.length - a.length).slice(0, 3)) {
		plan.push(t);
		plan.push(...synonymsOf(t));
	}
	return [...new Set(plan.filter(Boolean))].slice(0, maxSearches);
}
