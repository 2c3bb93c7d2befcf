/** "22 September 2026": unambiguous for readers in every locale, and stable across build machines. */
export function formatDate(date: Date): string {
	return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** "Verified against Istio 1.31 and Linkerd 2.20 (edge-26.8.3) on 22 September 2026.", as plain text. */
export function stampText(
	verified: { istio: string; linkerd: string; date: Date },
	linkerd: string
): string {
	return `Verified against Istio ${verified.istio} and Linkerd ${linkerd} on ${formatDate(verified.date)}.`;
}

/** "Istio, Linkerd and Cilium": the site's way of listing names in a sentence (no serial comma). */
export function listAnd(items: readonly string[]): string {
	return items.length < 2
		? (items[0] ?? '')
		: `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** The start of an answer's footer line: the meshes it is about, or any cluster. */
export function appliesTo(meshNames: readonly string[]): string {
	return meshNames.length > 0 ? `Applies to ${listAnd(meshNames)}.` : 'Applies to any cluster.';
}
