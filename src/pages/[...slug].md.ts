import type { APIRoute } from 'astro';
import { pages, slugOf, type Page } from '../content';
import { pageMarkdown } from '../lib/page-twins';

/** Every page's Markdown twin, beside it: /istio/install/ → /istio/install.md. */
export function getStaticPaths() {
	return pages.map((page) => ({ params: { slug: slugOf(page) ?? 'index' }, props: { page } }));
}

export const GET: APIRoute = async ({ props }) =>
	new Response(await pageMarkdown((props as { page: Page }).page), {
		headers: { 'Content-Type': 'text/markdown; charset=utf-8' },
	});
