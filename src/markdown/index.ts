import { rehypeHeadingIds } from '@astrojs/markdown-remark';
import { transformerNotationDiff, transformerNotationHighlight } from '@shikijs/transformers';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import type { Plugin } from 'vite';
import type { RehypePlugins } from 'astro';
import { loadAnchorAliases, loadGlossary } from '../lib/content-files.ts';
import { codeColorsCss, transformerCodeColors } from './code-colors.ts';
import { transformerCodeMeta } from './code-meta.ts';
import { rehypeAnchorAliases } from './rehype-anchor-aliases.ts';
import { rehypeBaseLinks } from './rehype-base-links.ts';
import { rehypeCodeBlocks } from './rehype-code-blocks.ts';
import { rehypeGlossaryLinks } from './rehype-glossary-links.ts';
import { rehypeHeadingAnchors } from './rehype-heading-anchors.ts';
import { remarkHeadingIds } from './remark-heading-ids.ts';

/**
 * The Markdown pipeline in reading order: what every MDX page goes through from source to HTML.
 * Order matters: ids before the anchors and aliases that point at them, code blocks before
 * glossary links (which skip code), base links last so every href an earlier step wrote gets the
 * sub-path.
 */
export const remarkPlugins = [remarkHeadingIds];

export const rehypePlugins = (base: string): RehypePlugins => [
	rehypeHeadingIds,
	[rehypeAnchorAliases, { aliases: loadAnchorAliases() }],
	rehypeHeadingAnchors,
	rehypeCodeBlocks,
	[
		rehypeGlossaryLinks,
		{
			entries: loadGlossary(),
			href: '/reference/glossary/',
			skipFile: /reference\/glossary\.mdx$/,
		},
	],
	[rehypeBaseLinks, { base }],
];

/** Shiki with both themes as classes (no inline styles, so the CSP needs no style hashes). */
export const shikiConfig = {
	themes: { light: githubLight, dark: githubDark },
	defaultColor: false as const,
	wrap: false,
	transformers: [
		transformerNotationHighlight(),
		transformerNotationDiff(),
		transformerCodeColors(),
		transformerCodeMeta(),
	],
};

const codeColorsId = 'virtual:kb/code-colors.css';

/** Serves the CSS classes that transformerCodeColors puts on tokens, built from the same two themes. */
export function codeColorsPlugin(): Plugin {
	return {
		name: 'kb:code-colors',
		resolveId: (id) => (id === codeColorsId ? `\0${codeColorsId}` : undefined),
		load: (id) => (id === `\0${codeColorsId}` ? codeColorsCss(githubLight, githubDark) : undefined),
	};
}
