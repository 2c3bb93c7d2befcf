/** Splits a fact's text at `backticks`, so statements can hold inline code without Markdown. */
export function inlineCode(text: string): { text: string; code: boolean }[] {
	return text
		.split(/(`[^`]+`)/)
		.filter(Boolean)
		.map((part) =>
			part.startsWith('`') && part.endsWith('`') && part.length > 2
				? { text: part.slice(1, -1), code: true }
				: { text: part, code: false }
		);
}
