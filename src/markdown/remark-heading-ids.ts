import type { Heading, Root } from 'mdast';
import { visit } from 'unist-util-visit';

/**
 * Explicit heading ids, so rewording a heading does not break links to it. Write the id as an
 * MDX comment at the end of the heading: `## Install the CRDs {/* #install-crds *\/}`.
 * (MDX reads a bare `{#id}` as JavaScript and fails, so the comment form is the one that parses.)
 */
const idComment = /^\/\*\s*#([a-z0-9][a-z0-9-]*)\s*\*\/$/;

interface ExpressionNode {
	type: 'mdxTextExpression';
	value: string;
}

/** Returns the explicit id of a heading and removes its marker, or undefined when there is none. */
export function takeExplicitId(heading: Heading): string | undefined {
	const last = heading.children.at(-1) as unknown as ExpressionNode | undefined;
	if (last?.type !== 'mdxTextExpression') return undefined;
	const m = last.value.trim().match(idComment);
	if (!m) return undefined;
	heading.children.pop();
	const prev = heading.children.at(-1);
	if (prev?.type === 'text') prev.value = prev.value.trimEnd();
	return m[1];
}

export function remarkHeadingIds() {
	return (tree: Root) => {
		visit(tree, 'heading', (heading) => {
			const id = takeExplicitId(heading);
			if (!id) return;
			// mdast-util-to-hast copies data.hProperties onto the <hN> element.
			const data = (heading.data ??= {}) as { hProperties?: Record<string, unknown> };
			data.hProperties = { ...data.hProperties, id };
		});
	};
}
