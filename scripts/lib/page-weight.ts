import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PageWeight {
	/** URL path of the page. */
	page: string;
	html: number;
	css: number;
	js: number;
	/** Requests before interaction: the document, stylesheets, scripts and their static imports, icons. */
	requests: number;
}

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

/**
 * Bytes as built (before compression) that a page loads before the reader interacts: linked and
 * inline CSS, classic and module scripts with their static imports. Dynamic `import()` is not
 * counted: that code loads on demand (search, for example).
 */
export function pageWeight(
	distDir: string,
	base: string,
	file: string,
	pageUrl: string
): PageWeight {
	const html = readFileSync(join(distDir, file), 'utf8');
	const fileOf = (url: string) =>
		join(distDir, new URL(url, `http://site${pageUrl}`).pathname.slice(base.length));
	let css = 0;
	let js = 0;
	let requests = 1;
	const seenJs = new Set<string>();
	const addJs = (path: string) => {
		if (seenJs.has(path) || !existsSync(path)) return;
		seenJs.add(path);
		requests++;
		const code = readFileSync(path, 'utf8');
		js += Buffer.byteLength(code);
		for (const m of code.matchAll(
			/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["'](\.{1,2}\/[^"']+)["']/g
		)) {
			if (m[1]) addJs(join(path, '..', m[1]));
		}
	};
	for (const m of html.matchAll(/<link\b[^>]*>/g)) {
		const tag = m[0];
		const href = attr(tag, 'href');
		const rel = attr(tag, 'rel');
		if (!href) continue;
		if (rel === 'stylesheet') {
			requests++;
			css += statSync(fileOf(href)).size;
		} else if (rel === 'icon') requests++;
	}
	for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
		const attrs = m[1] ?? '';
		const type = attr(attrs, 'type');
		if (type && type !== 'module' && type !== 'text/javascript') continue;
		const src = attr(attrs, 'src');
		if (src) addJs(fileOf(src));
		else {
			const code = m[2] ?? '';
			js += Buffer.byteLength(code);
			for (const imp of code.matchAll(/import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)) {
				if (imp[1]) addJs(fileOf(imp[1]));
			}
		}
	}
	for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g))
		css += Buffer.byteLength(m[1] ?? '');
	return { page: pageUrl, html: Buffer.byteLength(html), css, js, requests };
}
