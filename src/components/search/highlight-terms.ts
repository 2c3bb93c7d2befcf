/**
 * The pattern that marks search terms (`?hl=`) on the page a result led to. The value comes from
 * the address, so anyone can craft it: only the first few terms of a sane length count, which
 * keeps the pattern small (a 32,767-character term once made `new RegExp` throw "Regular
 * expression too large") and the marking fast.
 */
export const maxTerms = 5;
/** Longer than any word the site indexes (the vocabulary stops at 40). */
export const maxTermLength = 64;

export function highlightTerms(search: string): string[] {
	// Read no more of the value than the kept terms can need.
	const value = (new URLSearchParams(search).get('hl') ?? '').slice(
		0,
		maxTerms * (maxTermLength + 1) * 4
	);
	return value
		.split(/\s+/)
		.filter((t) => t.length > 1 && t.length <= maxTermLength)
		.slice(0, maxTerms);
}

/** A case-insensitive pattern matching any of the terms literally, or undefined for none. */
export function highlightPattern(search: string): RegExp | undefined {
	const terms = highlightTerms(search);
	if (terms.length === 0) return undefined;
	const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	return new RegExp(`(${escaped.join('|')})`, 'gi');
}
