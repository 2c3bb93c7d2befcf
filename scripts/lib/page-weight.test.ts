import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageWeight } from './page-weight.ts';

const css = 'a{color:red}';
const chunk = 'export const x=1;';
const page = 'import{x}from"./chunk.js";import("./lazy.js");console.log(x);';
const bytes = (s: string) => Buffer.byteLength(s);

/** A tiny built site under a sub-path: one page, a stylesheet, a script with imports. */
function site(html: string) {
	const dir = mkdtempSync(join(tmpdir(), 'weight-'));
	mkdirSync(join(dir, '_astro'));
	mkdirSync(join(dir, 'guide'));
	writeFileSync(join(dir, '_astro/site.css'), css);
	writeFileSync(join(dir, '_astro/chunk.js'), chunk);
	writeFileSync(join(dir, '_astro/lazy.js'), 'export const big="' + 'x'.repeat(5000) + '";');
	writeFileSync(join(dir, '_astro/page.js'), page);
	writeFileSync(join(dir, 'guide/index.html'), html);
	return dir;
}

describe('page weight', () => {
	it('counts linked CSS, a module script and its static imports, but not dynamic imports', () => {
		const html =
			'<link rel="stylesheet" href="/docs/_astro/site.css"><link rel="icon" href="/docs/favicon.svg">' +
			'<script type="module" src="/docs/_astro/page.js"></script>';
		const dir = site(html);
		expect(pageWeight(dir, '/docs/', 'guide/index.html', '/docs/guide/')).toEqual({
			page: '/docs/guide/',
			html: Buffer.byteLength(html),
			css: bytes(css),
			js: bytes(page) + bytes(chunk),
			// document, stylesheet, icon, script, its static import
			requests: 5,
		});
	});

	it('resolves relative URLs against the page and counts a shared chunk once', () => {
		const html =
			'<script type="module" src="../_astro/page.js"></script>' +
			'<script type="module" src="../_astro/chunk.js"></script>';
		const w = pageWeight(site(html), '/docs/', 'guide/index.html', '/docs/guide/');
		expect(w.js).toBe(bytes(page) + bytes(chunk));
		expect(w.requests).toBe(3);
	});

	it('adds inline styles and scripts, and skips data scripts such as JSON-LD', () => {
		const html =
			'<style>b{}</style><script>let a=1</script>' +
			'<script type="application/ld+json">{"@type":"FAQPage","big":"' +
			'y'.repeat(900) +
			'"}</script>';
		const w = pageWeight(site(html), '/docs/', 'guide/index.html', '/docs/guide/');
		expect(w).toMatchObject({ css: bytes('b{}'), js: bytes('let a=1'), requests: 1 });
	});
});
