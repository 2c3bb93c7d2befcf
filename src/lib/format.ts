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
