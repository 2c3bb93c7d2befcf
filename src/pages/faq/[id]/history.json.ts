import type { APIRoute } from 'astro';
import { faqEntries, historyOf } from '../../../content';
import { formatDate } from '../../../lib/format';

/** What an old ticket link's notice needs, fetched only when the link's revision is not current. */
export function getStaticPaths() {
	return faqEntries.map((entry) => ({ params: { id: entry.data.id } }));
}

export const GET: APIRoute = ({ params }) => {
	const history = historyOf(params['id'] ?? '');
	return new Response(
		JSON.stringify({
			id: history.id,
			revisions: history.revisions.map((r) => ({
				rev: r.rev,
				date: r.date.toISOString().slice(0, 10),
				label: formatDate(r.date),
				summary: r.summary,
				text: r.text,
			})),
		}),
		{ headers: { 'Content-Type': 'application/json' } }
	);
};
