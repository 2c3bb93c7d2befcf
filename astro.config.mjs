// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import { finishBuild } from './src/integrations/finish-build.ts';
import { rehypeHeadingIds, unified } from '@astrojs/markdown-remark';
import { transformerNotationHighlight, transformerNotationDiff } from '@shikijs/transformers';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { siteConfig } from './src/site.config.ts';
import { themeScriptHash } from './src/lib/theme-script.ts';
import { codeColorsCss, transformerCodeColors } from './src/plugins/code-colors.ts';
import { remarkHeadingIds } from './src/plugins/remark-heading-ids.ts';
import { rehypeHeadingAnchors } from './src/plugins/rehype-heading-anchors.ts';
import { rehypeBaseLinks } from './src/plugins/rehype-base-links.ts';
import { rehypeCodeBlocks } from './src/plugins/rehype-code-blocks.ts';
import { transformerCodeMeta } from './src/plugins/code-meta.ts';
import { rehypeGlossaryLinks } from './src/plugins/rehype-glossary-links.ts';
import { loadAnchorAliases, loadFaqAliases, loadGlossary } from './src/lib/content-files.ts';
import { rehypeAnchorAliases } from './src/plugins/rehype-anchor-aliases.ts';

const codeColorsId = 'virtual:kb/code-colors.css';
const faqAliasPaths = loadFaqAliases().map((a) => `/faq/${a}/`);

export default defineConfig({
	site: siteConfig.site,
	base: siteConfig.base,
	trailingSlash: 'always',
	build: { format: 'directory', inlineStylesheets: 'never' },
	scopedStyleStrategy: 'class',
	devToolbar: { enabled: false },
	prefetch: false,
	integrations: [
		mdx(),
		sitemap({
			// Forwarding pages of renamed FAQ answers are not pages of their own, and an answer's
			// history page is a record (noindex), reached from the answer.
			filter: (page) => !faqAliasPaths.some((p) => page.endsWith(p)) && !page.endsWith('/history/'),
		}),
		finishBuild(siteConfig.base),
	],
	security: {
		csp: {
			algorithm: 'SHA-256',
			scriptDirective: { hashes: [themeScriptHash] },
		},
	},
	markdown: {
		processor: unified({
			remarkPlugins: [remarkHeadingIds],
			rehypePlugins: [
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
				[rehypeBaseLinks, { base: siteConfig.base }],
			],
		}),
		shikiConfig: {
			themes: { light: githubLight, dark: githubDark },
			defaultColor: false,
			wrap: false,
			transformers: [
				transformerNotationHighlight(),
				transformerNotationDiff(),
				transformerCodeColors(),
				transformerCodeMeta(),
			],
		},
	},
	vite: {
		// Every script stays a file, so one header policy (script-src 'self' plus the theme script's
		// hash) covers every page; inlined scripts would each need their own hash.
		build: { assetsInlineLimit: 0 },
		worker: { format: 'es' },
		plugins: [
			{
				name: 'kb:code-colors',
				resolveId: (id) => (id === codeColorsId ? `\0${codeColorsId}` : undefined),
				load: (id) =>
					id === `\0${codeColorsId}` ? codeColorsCss(githubLight, githubDark) : undefined,
			},
		],
	},
});
