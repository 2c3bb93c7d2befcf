import type { APIRoute } from 'astro';
import { llmsFullTxt } from '../lib/page-twins';

/** The whole guide as one Markdown file. */
export const GET: APIRoute = async () =>
	new Response(await llmsFullTxt(), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
