import type { Element, ElementContent, Root, Text } from 'hast';
import type { VFile } from 'vfile';

export interface GlossaryLinkOptions {
	/** Entries to link: their anchor id and the spellings that count as a use. */
	entries: { id: string; match: string[] }[];
	/** Root-relative URL of the glossary page, e.g. `/reference/glossary/`. */
	href: string;
	/** Source files that must not link to themselves (the glossary page). */
	skipFile?: RegExp;
}

/** Elements whose text is never linked: code, existing links, headings and figures. */
const skipTags = new Set([
	'a',
	'code',
	'pre',
	'kbd',
	'h1',
	'h2',
	'h3',
	'h4',
	'h5',
	'h6',
	'svg',
	'figure',
	'script',
	'style',
	'th',
]);

function escape(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Links the first use of each glossary term on a page to its entry, so a newcomer can look a
 * term up where they meet it. Later uses stay plain text to keep pages readable.
 */
export function rehypeGlossaryLinks(options: GlossaryLinkOptions) {
	const matchers = options.entries.map((e) => ({
		id: e.id,
		re: new RegExp(`(?<![\\w./-])(${e.match.map(escape).join('|')})(?![\\w-])`),
	}));
	return (tree: Root, file: VFile) => {
		if (options.skipFile && file.path && options.skipFile.test(file.path)) return;
		const pending = new Map(matchers.map((m) => [m.id, m.re]));
		const walk = (node: Root | Element) => {
			for (let i = 0; i < node.children.length && pending.size > 0; i++) {
				const child = node.children[i];
				if (!child) continue;
				if (child.type === 'element') {
					if (!skipTags.has(child.tagName)) walk(child);
					continue;
				}
				if (child.type !== 'text') continue;
				const replaced = linkFirst(child, pending, options.href);
				if (replaced) {
					node.children.splice(i, 1, ...(replaced as typeof node.children));
					// The text after the new link is visited next, so one text node can hold several terms.
					i += replaced.length - 2;
				}
			}
		};
		walk(tree);
	};
}

function linkFirst(
	text: Text,
	pending: Map<string, RegExp>,
	href: string
): ElementContent[] | undefined {
	let best: { id: string; index: number; word: string } | undefined;
	for (const [id, re] of pending) {
		const m = re.exec(text.value);
		if (m?.[1] !== undefined && (!best || m.index < best.index))
			best = { id, index: m.index, word: m[1] };
	}
	if (!best) return undefined;
	pending.delete(best.id);
	const before = text.value.slice(0, best.index);
	const after = text.value.slice(best.index + best.word.length);
	const link: Element = {
		type: 'element',
		tagName: 'a',
		// The Markdown twin keeps the words, not the link: one per term would crowd the text.
		properties: { href: `${href}#${best.id}`, className: ['glossary-link'], dataTwin: 'inline' },
		children: [{ type: 'text', value: best.word }],
	};
	return [
		...(before ? [{ type: 'text', value: before } as Text] : []),
		link,
		{ type: 'text', value: after } as Text,
	];
}
