import type { APIRoute } from 'astro';
import { absoluteUrl, navigation, slugOf, url, type Page } from '../content';
import { pageMarkdownUrl } from '../lib/page-twins';
import { sectionFolders, type SectionFolder } from '../lib/section-folders';

/** A section folder's Markdown twin, beside it: /istio/ → /istio.md, listing the section's pages. */
export function getStaticPaths() {
	return sectionFolders(navigation, slugOf).map((section) => ({
		params: { section: section.folder },
		props: { section },
	}));
}

export const GET: APIRoute = ({ props }) => {
	const { section } = props as { section: SectionFolder<Page> };
	const path = url(`${section.folder}/`);
	const item = (p: Page) =>
		`- [${p.data.title.replace(/([[\]])/g, '\\$1')}](${absoluteUrl(pageMarkdownUrl(p))}): ${p.data.description}`;
	const groups = section.groups.map((g) =>
		section.groups.length > 1
			? `## ${g.label}\n\n${g.items.map(item).join('\n')}`
			: g.items.map(item).join('\n')
	);
	const text = [
		`# ${section.title}`,
		`> The pages under ${path}, in reading order.`,
		`On the site: ${absoluteUrl(path)}`,
		...groups,
	]
		.join('\n\n')
		.concat('\n');
	return new Response(text, { headers: { 'Content-Type': 'text/markdown; charset=utf-8' } });
};
