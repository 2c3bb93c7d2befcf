import type { APIRoute } from 'astro';
import { llmsTxt } from '../lib/page-twins';

/** The llms.txt convention: an index of the site's Markdown, for tools and assistants. */
export const GET: APIRoute = () =>
	new Response(llmsTxt(), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
