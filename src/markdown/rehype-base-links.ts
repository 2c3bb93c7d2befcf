import type { Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * Authors link to other pages root-relative (`/istio/install/`); this prefixes the configured
 * base so the same content works at the domain root and under a sub-path.
 */
export function withBase(href: string, base: string): string {
	if (base === '/' || !href.startsWith('/') || href.startsWith('//')) return href;
	if (href.startsWith(base)) return href;
	return base.replace(/\/$/, '') + href;
}

export function rehypeBaseLinks(options: { base: string }) {
	return (tree: Root) => {
		visit(tree, 'element', (node) => {
			for (const attr of ['href', 'src'] as const) {
				const value = node.properties[attr];
				if (typeof value === 'string') node.properties[attr] = withBase(value, options.base);
			}
		});
	};
}
