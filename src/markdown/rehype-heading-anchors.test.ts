import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMdx from 'remark-mdx';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeHeadingIds } from '@astrojs/markdown-remark';
import { remarkHeadingIds } from './remark-heading-ids.ts';
import { rehypeHeadingAnchors } from './rehype-heading-anchors.ts';
import { rehypeBaseLinks } from './rehype-base-links.ts';

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
			'<div class="heading-wrap level-h2"><h2 id="two">Two</h2><a class="heading-anchor" href="#two" data-pagefind-ignore="" data-twin="skip"><span aria-hidden="true">#</span><span class="sr-only">Permalink to “Two”</span></a></div>'
		);
		expect(html).toContain('href="#four"');
		expect(html).not.toContain('href="#title"');
		expect(html).not.toContain('href="#five"');
	});
});
