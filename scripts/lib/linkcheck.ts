import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import type { Element } from 'hast';
import { listPages, urlOfFile } from '../../src/lib/dist-files.ts';

export interface BrokenLink {
	/** Page the link is on, as its URL path. */
	page: string;
	/** The href or src as written. */
	target: string;
	/** What is wrong and what to do. */
	problem: string;
}

interface PageInfo {
	ids: Set<string>;
	links: string[];
}

function readPage(file: string): PageInfo {
	const tree = fromHtml(readFileSync(file, 'utf8'));
	const ids = new Set<string>();
	for (const el of selectAll('[id], a[name]', tree) as Element[]) {
		const id = el.properties['id'] ?? el.properties['name'];
		if (typeof id === 'string') ids.add(id);
	}
	const links: string[] = [];
	for (const el of selectAll('a[href], link[href], script[src], img[src]', tree) as Element[]) {
		const value = el.properties['href'] ?? el.properties['src'];
		if (typeof value === 'string') links.push(value);
	}
	return { ids, links };
}

/**
 * Checks every internal link and fragment of a built site. A link is internal when it is
 * relative or starts with "/"; it must stay under `base`, reach a built file, and, with a
 * `#fragment`, an element with that id on the target page.
 */
export function checkLinks(distDir: string, base: string): BrokenLink[] {
	const pages = new Map<string, PageInfo>();
	for (const file of listPages(distDir))
		pages.set(urlOfFile(file, base), readPage(join(distDir, file)));
	const broken: BrokenLink[] = [];
	for (const [pageUrl, info] of pages) {
		for (const target of info.links) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
			const resolved = new URL(target, `http://site${pageUrl}`);
			const path = decodeURIComponent(resolved.pathname);
			const fragment = decodeURIComponent(resolved.hash.slice(1));
			if (!path.startsWith(base)) {
				broken.push({
					page: pageUrl,
					target,
					problem: `points outside the base path ${base}; write it root-relative so the base is added`,
				});
				continue;
			}
			const rel = path.slice(base.length);
			const file = rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
			if (!existsSync(join(distDir, file))) {
				broken.push({ page: pageUrl, target, problem: `no page or file at ${path}` });
				continue;
			}
			if (!fragment || fragment === 'top') continue;
			const targetPage = pages.get(rel === '' || rel.endsWith('/') ? path : '');
			if (targetPage && !targetPage.ids.has(fragment)) {
				broken.push({
					page: pageUrl,
					target,
					problem: `no element with id "${fragment}" on ${path}`,
				});
			}
		}
	}
	return broken;
}
