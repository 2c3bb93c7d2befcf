import type { APIRoute } from 'astro';
import { faqEntries, type FaqEntry } from '../../content';
import { answerMarkdown } from '../../lib/page-twins';

/** Every answer's Markdown twin: /faq/<id>/ → /faq/<id>.md. */
export function getStaticPaths() {
	return faqEntries.map((entry) => ({ params: { id: entry.data.id }, props: { entry } }));
}

export const GET: APIRoute = async ({ props }) =>
	new Response(await answerMarkdown((props as { entry: FaqEntry }).entry), {
		headers: { 'Content-Type': 'text/markdown; charset=utf-8' },
	});
