import type { Element, ElementContent, Root, RootContent } from 'hast';

/** Shell languages whose blocks get copy, placeholders and the `bash -n` check. */
export const shellLangs: ReadonlySet<string> = new Set(['bash', 'sh', 'shell', 'zsh']);

/**
 * The text of a HAST node, as a reader would copy it. `skip` leaves out elements that are not
 * part of that text (a code block's callout numbers, say). `between` joins sibling nodes: a
 * space keeps words of adjacent blocks apart where the text is for indexing, not copying.
 */
export function textOf(
	node: Root | Element | ElementContent | RootContent,
	skip: (e: Element) => boolean = () => false,
	between = ''
): string {
	if (node.type === 'text') return node.value;
	if (node.type !== 'element' && node.type !== 'root') return '';
	if (node.type === 'element' && skip(node)) return '';
	return node.children.map((c) => textOf(c, skip, between)).join(between);
}
