import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeShiki } from '@astrojs/markdown-remark';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { rehypeCodeBlocks } from './rehype-code-blocks.ts';
import { transformerCodeColors } from './code-colors.ts';
import { transformerCodeMeta, parseMeta } from './code-meta.ts';

async function render(md: string) {
	const file = await unified()
		.use(remarkParse)
		.use(remarkRehype)
		.use(rehypeShiki, {
			themes: { light: githubLight, dark: githubDark },
			defaultColor: false,
			transformers: [transformerCodeColors(), transformerCodeMeta()],
		})
		.use(rehypeCodeBlocks)
		.use(rehypeStringify)
		.process(md);
	return {
		html: String(file),
		data: file.data as { astro?: { frontmatter?: Record<string, unknown> } },
	};
}

describe('code block transform', () => {
	it('frames a shell block with a label and a copy button, and marks placeholders', async () => {
		const { html, data } = await render(
			'## 2. Label it\n\n```bash step\nkubectl label namespace <namespace> a=b\n```'
		);
		expect(html).toContain(
			'<kb-code class="code-block is-code" data-lang="bash" data-step-title="2. Label it">'
		);
		expect(html).toContain(
			'<span class="code-label">Shell</span><button type="button" class="copy-btn" data-pagefind-ignore="">'
		);
		expect(html).toContain('<var class="ph" data-ph="namespace">&#x3C;namespace></var>');
		expect(html).not.toContain('style=');
		expect(html.match(/tabindex/gi)).toHaveLength(1);
		expect(data.astro?.frontmatter?.['codeBlocks']).toEqual({
			placeholders: ['namespace'],
			steps: 1,
			blocks: 1,
		});
	});

	it('shows output blocks apart, without a copy button or placeholders', async () => {
		const { html } = await render('```text output\nNAME  READY <none>\n```');
		expect(html).toContain(
			'<kb-code class="code-block is-output" data-lang="text"><div class="code-head"><span class="code-label">Output</span></div>'
		);
		expect(html).not.toContain('copy-btn');
		expect(html).not.toContain('<var');
	});

	it('keeps a placeholder whole when the highlighter splits it across tokens', async () => {
		const { html } = await render('```bash\nkubectl logs <pod-name> -n <namespace> | grep x\n```');
		expect([...html.matchAll(/<var class="ph" data-ph="([^"]+)">/g)].map((m) => m[1])).toEqual([
			'pod-name',
			'namespace',
		]);
	});

	it('reads flags and titles from fence meta', () => {
		expect(parseMeta('step title="values.yaml" output')).toEqual({
			flags: new Set(['step', 'output']),
			title: 'values.yaml',
		});
		expect(parseMeta(undefined)).toEqual({ flags: new Set(), title: undefined });
	});
});
