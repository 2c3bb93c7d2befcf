import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeHeadingIds } from '@astrojs/markdown-remark';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { codeToHtml } from 'shiki';
import { remarkHeadingIds } from './remark-heading-ids.ts';
import { rehypeHeadingAnchors } from './rehype-heading-anchors.ts';
import { rehypeBaseLinks, withBase } from './rehype-base-links.ts';
import { rehypeGlossaryLinks } from './rehype-glossary-links.ts';
import {
	classesForStyle,
	codeBackgrounds,
	codeColorsCss,
	contrast,
	ensureContrast,
	themePalette,
	transformerCodeColors,
} from './code-colors.ts';

async function render(mdx: string, base = '/'): Promise<string> {
	const file = await unified()
		.use(remarkParse)
		.use(remarkMdx)
		.use(remarkHeadingIds)
		.use(remarkRehype)
		.use(rehypeHeadingIds)
		.use(rehypeHeadingAnchors)
		.use(rehypeBaseLinks, { base })
		.use(rehypeStringify)
		.process(mdx);
	return String(file);
}

describe('heading ids and permalinks', () => {
	it('keeps an explicit id when the heading text changes', async () => {
		const html = await render('## Install the CRDs first {/* #install-crds */}');
		expect(html).toContain('<h2 id="install-crds">Install the CRDs first</h2>');
	});

	it('slugs headings without an explicit id', async () => {
		const html = await render('### Why pods restart');
		expect(html).toContain('<h3 id="why-pods-restart">Why pods restart</h3>');
	});

	it('adds a permalink beside h2 to h4 but not h1 or h5', async () => {
		const html = await render('# Title\n\n## Two\n\n#### Four\n\n##### Five');
		expect(html).toContain(
			'<div class="heading-wrap level-h2"><h2 id="two">Two</h2><a class="heading-anchor" href="#two" data-pagefind-ignore=""><span aria-hidden="true">#</span><span class="sr-only">Permalink to “Two”</span></a></div>'
		);
		expect(html).toContain('href="#four"');
		expect(html).not.toContain('href="#title"');
		expect(html).not.toContain('href="#five"');
	});
});

describe('base path for internal links', () => {
	it('prefixes root-relative links and leaves others alone', () => {
		expect(withBase('/istio/install/', '/docs/mesh/')).toBe('/docs/mesh/istio/install/');
		expect(withBase('/docs/mesh/faq/', '/docs/mesh/')).toBe('/docs/mesh/faq/');
		expect(withBase('https://istio.io/', '/docs/mesh/')).toBe('https://istio.io/');
		expect(withBase('#top', '/docs/mesh/')).toBe('#top');
		expect(withBase('//cdn.example/x', '/docs/mesh/')).toBe('//cdn.example/x');
		expect(withBase('/faq/', '/')).toBe('/faq/');
	});

	it('rewrites links in rendered content', async () => {
		const html = await render('[FAQ](/faq/#restart)', '/docs/mesh/');
		expect(html).toContain('href="/docs/mesh/faq/#restart"');
	});
});

describe('code colours as classes', () => {
	it('turns dual-theme token styles into classes', () => {
		expect(
			classesForStyle('--shiki-light:#CF222E;--shiki-dark:#FF7B72;--shiki-light-font-style:italic')
		).toEqual(['cl-cf222e', 'cd-ff7b72', 'fl-i']);
	});

	it('leaves no inline style in highlighted code, and every class has a rule', async () => {
		const html = await codeToHtml('kubectl get pods -n "<namespace>" # list\napiVersion: v1', {
			lang: 'bash',
			themes: { light: githubLight, dark: githubDark },
			defaultColor: false,
			transformers: [transformerCodeColors()],
		});
		expect(html).not.toContain('style=');
		const css = codeColorsCss(githubLight, githubDark);
		const used = [...html.matchAll(/\b(c[ld]-[0-9a-f]+)\b/g)].map((m) => m[1]);
		expect(used.length).toBeGreaterThan(3);
		for (const cls of used) expect(css).toContain(`.${cls}{`);
	});

	it('lifts every token colour to WCAG AA contrast on the code background', () => {
		const css = codeColorsCss(githubLight, githubDark);
		for (const [, cls, hex] of css.matchAll(/\.(c[ld])-[0-9a-f]+\{--hl-[ld]:#([0-9a-f]{6})\}/g)) {
			const bg = cls === 'cl' ? codeBackgrounds.light : codeBackgrounds.dark;
			expect(contrast(hex ?? '', bg), `${hex} on ${bg}`).toBeGreaterThanOrEqual(4.5);
		}
		expect(contrast('6e7781', 'f6f8fa')).toBeLessThan(4.5);
		expect(ensureContrast('6e7781', 'f6f8fa')).not.toBe('6e7781');
		expect(ensureContrast('000000', 'ffffff')).toBe('000000');
	});

	it('collects each palette from the theme', () => {
		expect(themePalette(githubLight).size).toBeGreaterThan(8);
		expect(themePalette({ tokenColors: [{ settings: { foreground: '#ABC' } }] })).toEqual(
			new Set(['abc'])
		);
	});
});

describe('glossary links', () => {
	const entries = [
		{ id: 'mtls', match: ['mTLS', 'mutual TLS'] },
		{ id: 'ztunnel', match: ['ztunnel'] },
	];
	async function withGlossary(md: string, path = 'content/docs/x.mdx'): Promise<string> {
		const file = await unified()
			.use(remarkParse)
			.use(remarkRehype)
			.use(rehypeGlossaryLinks, { entries, href: '/reference/glossary/' })
			.use(rehypeStringify)
			.process({ value: md, path });
		return String(file);
	}

	it('links only the first use of each term, and never inside code or headings', async () => {
		const html = await withGlossary(
			'## mTLS basics\n\nUse `ztunnel` for mTLS; mTLS again, then ztunnel and ztunnel-config.'
		);
		expect(html).toBe(
			'<h2>mTLS basics</h2>\n<p>Use <code>ztunnel</code> for <a href="/reference/glossary/#mtls" class="glossary-link">mTLS</a>; mTLS again, then <a href="/reference/glossary/#ztunnel" class="glossary-link">ztunnel</a> and ztunnel-config.</p>'
		);
	});

	it('leaves the glossary page itself alone', async () => {
		const file = await unified()
			.use(remarkParse)
			.use(remarkRehype)
			.use(rehypeGlossaryLinks, { entries, href: '/g/', skipFile: /glossary\.mdx$/ })
			.use(rehypeStringify)
			.process({ value: 'mTLS', path: 'content/docs/reference/glossary.mdx' });
		expect(String(file)).toBe('<p>mTLS</p>');
	});
});
