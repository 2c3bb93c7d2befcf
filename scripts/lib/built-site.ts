import { readFileSync } from 'node:fs';
import { listPages } from '../../src/lib/dist-files.ts';
import { siteConfig } from '../../src/site.config.ts';
import { faqAnswers } from '../../src/lib/faq-answers.ts';
import { troubleshootingCategories } from '../../src/schemas/faq.ts';

/** The built site that checks read; SITE_BASE gives its sub-path, as it does for the build. */
export const distDir = 'dist';
export const base = siteConfig.base;

/** Paths (relative to the base URL, no leading slash) of every page in the built sitemap. */
export function sitemapPaths(dir = distDir): string[] {
	const xml = readFileSync(`${dir}/sitemap-0.xml`, 'utf8');
	return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) =>
		new URL(m[1] ?? '').pathname.slice(base.length)
	);
}

/**
 * Paths (as `sitemapPaths` gives them) of every page the build wrote, the sitemap's and those it
 * leaves out (answer histories), except pages that forward at once (renamed answers: their target
 * is a page of its own, and the forward is tested apart) and the 404 page, which is served for
 * unknown URLs.
 */
export function builtPages(dir = distDir): string[] {
	return listPages(dir)
		.filter((f) => f.endsWith('index.html'))
		.filter((f) => !/<meta http-equiv="refresh"/.test(readFileSync(`${dir}/${f}`, 'utf8')))
		.map((f) => f.slice(0, -'index.html'.length));
}

/** Every answer as its source states it, and the page that lists it. */
export function faqSources() {
	const troubleshooting: readonly string[] = troubleshootingCategories;
	return faqAnswers().map((a) => ({
		...a,
		// Troubleshooting answers are listed on their own page, by what the reader sees.
		list: troubleshooting.includes(a.category) ? 'troubleshooting/' : 'faq/',
	}));
}
