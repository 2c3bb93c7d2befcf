import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeBaseLinks, withBase } from './rehype-base-links.ts';

const render = async (md: string, base: string) =>
	String(
		await unified()
			.use(remarkParse)
			.use(remarkRehype)
			.use(rehypeBaseLinks, { base })
			.use(rehypeStringify)
			.process(md)
	);

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
