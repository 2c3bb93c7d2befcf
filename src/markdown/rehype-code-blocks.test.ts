import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import rehypeStringify from 'rehype-stringify';
import { rehypeShiki } from '@astrojs/markdown-remark';
import githubLight from '@shikijs/themes/github-light-default';
import githubDark from '@shikijs/themes/github-dark-default';
import { listFiles } from '../lib/dist-files.ts';
import { checkShellBlock, extractShellBlocks } from '../../scripts/lib/shell-check.ts';
import { rehypeCodeBlocks } from './rehype-code-blocks.ts';
import { transformerCodeColors } from './code-colors.ts';
import { transformerCodeMeta, parseMeta } from './code-meta.ts';
import {
	fillPlaceholders,
	isSafeValue,
	placeholdersFromQuery,
} from '../components/code/placeholders.ts';
import { buildStepsScript } from '../components/code/steps.ts';

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

describe('placeholders', () => {
	it('fill commands with safe values only', () => {
		expect(fillPlaceholders('kubectl get pods -n <namespace> <pod>', { namespace: 'shop' })).toBe(
			'kubectl get pods -n shop <pod>'
		);
		expect(fillPlaceholders('kubectl get ns <namespace>', { namespace: 'x; rm -rf /' })).toBe(
			'kubectl get ns <namespace>'
		);
	});

	it('accept Kubernetes-style names and refuse shell metacharacters', () => {
		for (const ok of ['shop', 'api-v2', 'deploy/api', 'app=web', 'registry.local:5000'])
			expect(isSafeValue(ok), ok).toBe(true);
		for (const bad of ['', 'a b', '$(id)', 'a;b', '`x`', 'a|b', '-rf', "a'b", 'x'.repeat(300)])
			expect(isSafeValue(bad), bad).toBe(false);
	});

	it('round-trip through the URL and ignore garbage', () => {
		expect(
			placeholdersFromQuery('?ph.namespace=shop&ph.pod=a%20b&q=mtls&ph.BAD=1&ph.x=%24(id)')
		).toEqual({ namespace: 'shop' });
		expect(placeholdersFromQuery('?%%%')).toEqual({});
	});
});

describe('copy all steps', () => {
	it('builds one script with each step under its heading', () => {
		const script = buildStepsScript('Install Istio', 'http://localhost:4321/istio/install/', [
			{
				title: '1. Add the repository',
				code: 'helm repo add istio https://example\nhelm repo update',
			},
			{
				title: '2. Install base',
				code: 'helm install istio-base istio/base \\\n  -n istio-system',
			},
			{ title: '2. Install base', code: 'kubectl get pods -n istio-system\n' },
		]);
		expect(script).toBe(
			[
				'#!/usr/bin/env bash',
				'# Install Istio',
				'# http://localhost:4321/istio/install/',
				'set -euo pipefail',
				'',
				'# 1. Add the repository',
				'helm repo add istio https://example',
				'helm repo update',
				'',
				'# 2. Install base',
				'helm install istio-base istio/base \\',
				'  -n istio-system',
				'',
				'kubectl get pods -n istio-system',
				'',
			].join('\n')
		);
	});
});

describe('every shell block on the site', () => {
	const blocks = ['content/docs', 'content/faq'].flatMap((dir) =>
		listFiles(dir)
			.filter((f) => f.endsWith('.mdx'))
			.flatMap((f) => extractShellBlocks(`${dir}/${f}`, readFileSync(`${dir}/${f}`, 'utf8')))
	);

	it('exists in numbers worth checking', () => {
		expect(blocks.length).toBeGreaterThan(50);
	});

	it('passes bash -n', () => {
		expect(blocks.flatMap(checkShellBlock)).toEqual([]);
	});

	it('reports a broken block with its file and line', () => {
		const source =
			'intro\n\n```bash\nhelm install a b \\\n  --set x=1\nif true; then echo <name>\n```\n';
		const blocks = extractShellBlocks('page.mdx', source);
		expect(blocks).toHaveLength(1);
		expect(blocks.flatMap(checkShellBlock)).toEqual([
			'page.mdx:7: bash -n: syntax error: unexpected end of file',
		]);
	});
});
