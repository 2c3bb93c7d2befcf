import type { Element, Root } from 'hast';
import type { VFile } from 'vfile';
import { visit } from 'unist-util-visit';

export interface AnchorAlias {
	/** Page path, e.g. `/istio/security/`. */
	page: string;
	/** The former id. */
	from: string;
	/** The id it now stands for. */
	to: string;
}

/** `content/docs/istio/security.mdx` → `/istio/security/`. */
export function pageOfFile(path: string): string | undefined {
	const m = path.replace(/\\/g, '/').match(/content\/docs\/(.+)\.mdx$/);
	if (!m?.[1]) return undefined;
	return m[1] === 'index' ? '/' : `/${m[1]}/`;
}

/**
 * Keeps renamed heading anchors working: puts an empty element with the old id right before the
 * element that now carries the new one, so `#old` lands in the same place with or without
 * JavaScript.
 */
export function rehypeAnchorAliases(options: { aliases: AnchorAlias[] }) {
	return (tree: Root, file: VFile) => {
		const page = file.path ? pageOfFile(file.path) : undefined;
		const mine = options.aliases.filter((a) => a.page === page);
		if (mine.length === 0) return;
		visit(tree, 'element', (node, index, parent) => {
			const id = node.properties['id'];
			if (typeof id !== 'string' || index === undefined || !parent) return;
			const here = mine.filter((a) => a.to === id);
			if (here.length === 0) return;
			// Inside a heading wrapper, the alias goes before the wrapper so it is not part of the heading.
			const spans: Element[] = here.map((a) => ({
				type: 'element',
				tagName: 'span',
				properties: { id: a.from, className: ['alias-anchor'], dataAliasFor: a.to },
				children: [],
			}));
			parent.children.splice(index, 0, ...spans);
			return ['skip', index + spans.length + 1];
		});
	};
}
