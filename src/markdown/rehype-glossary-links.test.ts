import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeGlossaryLinks } from './rehype-glossary-links.ts';

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
			'<h2>mTLS basics</h2>\n<p>Use <code>ztunnel</code> for <a href="/reference/glossary/#mtls" class="glossary-link" data-twin="inline">mTLS</a>; mTLS again, then <a href="/reference/glossary/#ztunnel" class="glossary-link" data-twin="inline">ztunnel</a> and ztunnel-config.</p>'
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
