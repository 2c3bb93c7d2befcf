import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';
import { textOf } from '../lib/hast-text.ts';

const levels = new Set(['h2', 'h3', 'h4']);

const headingText = (node: Element) => textOf(node).trim();

/**
 * Adds a permalink after every h2–h4 that has an id. The link is a sibling inside a wrapper,
 * not inside the heading, so the heading's accessible name and the table of contents stay clean;
 * search ignores it.
 */
export function rehypeHeadingAnchors() {
	return (tree: Root) => {
		visit(tree, 'element', (node, index, parent) => {
			if (!levels.has(node.tagName) || index === undefined || !parent) return;
			const id = node.properties['id'];
			if (typeof id !== 'string') return;
			const anchor: Element = {
				type: 'element',
				tagName: 'a',
				properties: {
					className: ['heading-anchor'],
					href: `#${id}`,
					dataPagefindIgnore: '',
					dataTwin: 'skip',
				},
				children: [
					{
						type: 'element',
						tagName: 'span',
						properties: { ariaHidden: 'true' },
						children: [{ type: 'text', value: '#' }],
					},
					{
						type: 'element',
						tagName: 'span',
						properties: { className: ['sr-only'] },
						children: [{ type: 'text', value: `Permalink to “${headingText(node)}”` }],
					},
				],
			};
			const wrapper: Element = {
				type: 'element',
				tagName: 'div',
				properties: { className: ['heading-wrap', `level-${node.tagName}`] },
				children: [node, anchor],
			};
			parent.children[index] = wrapper;
			return ['skip', index + 1];
		});
	};
}
