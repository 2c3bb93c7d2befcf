// Astro's log destination for this site: Node's own, minus warnings a reader of the build cannot act on.
// Every filter names why it is safe; every other warning stays loud.
import nodeDestination from 'astro/logger/node';

/** @type {{ label: string; pattern: RegExp; why: string }[]} */
export const knownWarnings = [
	{
		label: 'config',
		pattern:
			/^Shiki syntax highlighting uses inline styles that are not compatible with Content Security Policy/,
		// Astro warns whenever Shiki and the CSP are both on; transformerCodeColors (src/markdown/code-colors.ts)
		// turns every token's inline style into a class, and e2e/csp.spec.ts proves 0 violations.
		why: 'Shiki runs with classes only (transformerCodeColors), so there is no inline style for the CSP to block',
	},
];

/** @param {Record<string, unknown>} [config] */
export default function buildLog(config) {
	const destination = nodeDestination(config);
	return {
		/** @param {{ level: string; label: string | null; message: string }} event */
		write(event) {
			const known = knownWarnings.some(
				(k) => event.level === 'warn' && event.label === k.label && k.pattern.test(event.message)
			);
			if (!known) destination.write(event);
		},
	};
}
