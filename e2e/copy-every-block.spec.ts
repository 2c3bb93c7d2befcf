import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import type { Element, ElementContent } from 'hast';
import { sitemapPaths } from './site';
import { shellLangs, textOf } from '../src/lib/hast-text';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** A value for every placeholder name, safe for a shell and recognisable in a failure. */
const valueFor = (name: string) => `my-${name}`;

interface Expected {
	lang: string;
	/** The block's text as built, with callout markers left out and placeholders filled. */
	text: string;
}

/** A code block's callout numbers are not part of what Copy copies. */
const callout = (e: Element) => {
	const cls = e.properties['className'];
	return Array.isArray(cls) && cls.includes('callout');
};
const copied = (node: ElementContent) => textOf(node, callout);

/** What each copyable block must copy, read from the built HTML rather than from the browser. */
function expectedBlocks(path: string): { blocks: Expected[]; placeholders: string[] } {
	// Only the code blocks are parsed: the whole page (up to 200 KB) cost 0.17 CPU-s a page here.
	const html = readFileSync(`dist/${path}index.html`, 'utf8');
	const tree = fromHtml((html.match(/<kb-code\b[\s\S]*?<\/kb-code>/g) ?? []).join('\n'), {
		fragment: true,
	});
	const blocks = selectAll('kb-code', tree).map((block: Element) => {
		const code = selectAll('pre code', block)[0];
		const raw = code ? code.children.map(copied).join('') : '';
		return {
			lang: String(block.properties['dataLang'] ?? ''),
			output: String(block.properties['className'] ?? '').includes('is-output'),
			raw: raw.replace(/\n+$/, ''),
		};
	});
	const placeholders = [
		...new Set(
			blocks.flatMap((b) => [...b.raw.matchAll(/<([a-z][a-z0-9-]*)>/g)].map((m) => m[1] ?? ''))
		),
	];
	return {
		placeholders,
		blocks: blocks.map((b) => ({
			lang: b.output ? 'output' : b.lang,
			text: shellLangs.has(b.lang)
				? b.raw.replace(/<([a-z][a-z0-9-]*)>/g, (_m, n: string) => valueFor(n))
				: b.raw,
		})),
	};
}

const pages = sitemapPaths().filter((p) =>
	/<kb-code/.test(readFileSync(`dist/${p}index.html`, 'utf8'))
);

test('the walk covers the FAQ page and every page with commands', () => {
	expect(pages).toContain('faq/');
	expect(pages).toContain('faq/viz-routes-empty/');
	expect(pages.length).toBeGreaterThan(15);
});

/** What one block's Copy put on the clipboard, or why it put nothing. */
interface Copied {
	index: number;
	text: string;
	state: string;
}

/**
 * Clicks every visible Copy button of the page in turn, inside the page, and reads the real
 * clipboard after each: one round trip per page instead of four per button.
 */
function copyAll(): Promise<Copied[]> {
	const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
	return (async () => {
		const out: Copied[] = [];
		const blocks = [...document.querySelectorAll('kb-code')];
		for (const [index, block] of blocks.entries()) {
			if (block.classList.contains('is-output')) continue;
			const button = block.querySelector<HTMLButtonElement>('.copy-btn');
			// The other mesh's tab: hidden, so not a button the reader can press.
			if (!button?.checkVisibility()) continue;
			await navigator.clipboard.writeText('');
			button.click();
			for (let t = 0; t < 100 && !button.dataset['state']; t++) await wait(20);
			out.push({
				index,
				state: button.dataset['state'] ?? 'none',
				text: await navigator.clipboard.readText(),
			});
		}
		return out;
	})();
}

/** Every copy button of one page: what it copies, and that shell commands parse. */
async function checkPage(page: Page, path: string) {
	const { blocks, placeholders } = expectedBlocks(path);
	const query = new URLSearchParams(placeholders.map((n) => [`ph.${n}`, valueFor(n)]));
	await page.goto(`${path}${placeholders.length ? `?${query.toString()}` : ''}`);
	await expect(page.locator('kb-code'), `/${path}`).toHaveCount(blocks.length);
	// Custom elements upgrade after load; a button clicked before that copies nothing.
	await page.waitForFunction(() => customElements.get('kb-code') !== undefined);
	const results = await page.evaluate(copyAll);
	expect.soft(results.length, `copy buttons on /${path}`).toBeGreaterThan(0);
	for (const { index, text, state } of results) {
		const want = blocks[index];
		const at = `block ${index + 1} on /${path}`;
		expect.soft(want?.lang, `${at} is output`).not.toBe('output');
		expect.soft(state, `${at}: button state`).toBe('copied');
		expect.soft(text, at).toBe(want?.text);
	}
	const shell = results.filter((r) => shellLangs.has(blocks[r.index]?.lang ?? ''));
	if (!shell.length) return;
	// One bash for the page: each block checked alone, so an unclosed quote names its block.
	const script = shell
		.map(
			(r) =>
				`bash -n <<'KB_BLOCK_${r.index}' 2>&1 | sed 's/^/block ${r.index + 1}: /'\n${r.text}\nKB_BLOCK_${r.index}`
		)
		.join('\n');
	const run = spawnSync('bash', [], { input: `${script}\n`, encoding: 'utf8' });
	expect.soft(run.stdout + run.stderr, `bash -n on the blocks of /${path}`).toBe('');
}

// Groups of eight pages share one browser page: a fresh context per page cost more than its checks.
const size = 8;
for (let from = 0; from < pages.length; from += size) {
	const group = pages.slice(from, from + size);
	test(`every copy button copies the runnable text, on pages ${from + 1} to ${from + group.length} of ${pages.length} (/${group[0]} …)`, async ({
		page,
	}) => {
		for (const path of group) await checkPage(page, path);
	});
}
