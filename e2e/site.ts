import { readFileSync } from 'node:fs';

/** Paths (relative to the base URL, no leading slash) of every page in the built sitemap. */
export function sitemapPaths(): string[] {
	const xml = readFileSync('dist/sitemap-0.xml', 'utf8');
	return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => {
		const path = new URL(m[1] ?? '').pathname;
		const base = process.env['SITE_BASE']
			? `/${process.env['SITE_BASE'].replace(/^\/+|\/+$/g, '')}/`
			: '/';
		return path.slice(base.length);
	});
}
