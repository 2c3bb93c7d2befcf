import type { Element, ElementContent, Root, RootContent } from 'hast';

/** Shell languages whose blocks get copy, placeholders and the `bash -n` check. */
export const shellLangs: ReadonlySet<string> = new Set(['bash', 'sh', 'shell', 'zsh']);

/**
 * The text of a HAST node, as a reader would copy it. `skip` leaves out elements that are not
 * part of that text (a code block's callout numbers, say).
 */
export function textOf(
	node: Root | Element | ElementContent | RootContent,
	skip: (e: Element) => boolean = () => false
): string {
	if (node.type === 'text') return node.value;
	if (node.type !== 'element' && node.type !== 'root') return '';
	if (node.type === 'element' && skip(node)) return '';
	return node.children.map((c) => textOf(c, skip)).join('');
}
