import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { selectAll } from 'hast-util-select';
import type { Element } from 'hast';
import { listPages, urlOfFile } from '../../src/lib/dist-files.ts';

/** The anchors one built page publishes. */
export interface PageAnchors {
	/** Ids a link may point at: headings h2–h6 and elements marked `data-anchor`. */
	anchors: string[];
	/** Former ids still answered on the page: alias id → id it now stands for. */
	aliases: Record<string, string>;
	/** Ids used more than once on the page. */
	duplicates: string[];
}

/** Reads the published anchors of one page's HTML. */
export function anchorsOfHtml(html: string): PageAnchors {
	const tree = fromHtml(html);
	const all = (selectAll('[id]', tree) as Element[]).map((e) => String(e.properties['id']));
	const counts = new Map<string, number>();
	for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
	const anchors = (
		selectAll('h2[id], h3[id], h4[id], h5[id], h6[id], [data-anchor][id]', tree) as Element[]
	).map((e) => String(e.properties['id']));
	const aliases: Record<string, string> = {};
	for (const e of selectAll('[data-alias-for][id]', tree) as Element[]) {
		aliases[String(e.properties['id'])] = String(e.properties['dataAliasFor']);
	}
	return {
		anchors: [...new Set(anchors)].sort(),
		aliases,
		duplicates: [...counts]
			.filter(([, n]) => n > 1)
			.map(([id]) => id)
			.sort(),
	};
}

/** Anchors of every indexable page of a built site (forwarding pages and the 404 page excluded). */
export function collectAnchors(distDir: string, base: string): Record<string, PageAnchors> {
	const out: Record<string, PageAnchors> = {};
	for (const file of listPages(distDir)) {
		if (file === '404.html') continue;
		const html = readFileSync(join(distDir, file), 'utf8');
		if (html.includes('http-equiv="refresh"')) continue;
		out[urlOfFile(file, base).slice(base.length - 1)] = anchorsOfHtml(html);
	}
	return out;
}

/** The committed registry: page path (root-relative, without base) → anchor ids. */
export type Registry = Record<string, string[]>;

export function registryOf(current: Record<string, PageAnchors>): Registry {
	return Object.fromEntries(
		Object.entries(current)
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([page, p]) => [page, p.anchors])
	);
}

/**
 * Every anchor once published must keep working. Returns the problems, each naming the page and
 * anchor and saying what to do: restore the id, declare an alias, or refresh the registry.
 * `pageExists` tells whether a URL path was built (FAQ aliases also need their forwarding page).
 */
export function checkRegistry(
	registry: Registry,
	current: Record<string, PageAnchors>,
	pageExists: (path: string) => boolean = () => true
): string[] {
	const problems: string[] = [];
	for (const [page, anchors] of Object.entries(registry)) {
		const now = current[page];
		if (!now) {
			problems.push(
				`${page}: the page is gone, so links to ${anchors.map((a) => `#${a}`).join(', ') || 'it'} break. Restore the page.`
			);
			continue;
		}
		for (const anchor of anchors) {
			if (now.anchors.includes(anchor) || now.aliases[anchor]) continue;
			problems.push(
				`${page}#${anchor}: this published anchor no longer exists. Restore the id, or declare an alias from "${anchor}" to its new id (FAQ: "aliases" in the entry; other pages: content/data/anchor-aliases.yaml).`
			);
		}
	}
	for (const [page, now] of Object.entries(current)) {
		for (const [alias, target] of Object.entries(now.aliases)) {
			if (!now.anchors.includes(target))
				problems.push(
					`${page}#${alias}: alias points to "${target}", which does not exist on the page.`
				);
			if (page === '/faq/' && !pageExists(`/faq/${alias}/`))
				problems.push(`/faq/${alias}/: the former answer URL has no forwarding page.`);
		}
		for (const dup of now.duplicates)
			problems.push(`${page}: id "${dup}" is used more than once; links to it are ambiguous.`);
		const known = new Set(registry[page] ?? []);
		const added = now.anchors.filter((a) => !known.has(a));
		if (added.length > 0) {
			problems.push(
				`${page}: new anchors not in the registry (${added.join(', ')}). Run "npm run anchors -- --update" and commit content/anchors.json.`
			);
		}
	}
	return problems;
}
