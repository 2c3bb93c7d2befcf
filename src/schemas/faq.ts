import { z } from 'astro/zod';
import { verifiedSchema } from './verified.ts';

/**
 * Sections of the FAQ, in page order. Troubleshooting answers are listed on the troubleshooting
 * page instead, organised by what the reader sees; they are answers all the same (ids, pages,
 * aliases, revisions).
 */
export const faqCategories = [
	'basics',
	'choosing',
	'istio',
	'linkerd',
	'security',
	'operations',
	'requests-fail',
	'tls-errors',
	'pods-not-ready',
	'checks-fail',
	'connections-drop',
	'config-ignored',
	'install-fails',
	'harmless-logs',
] as const;

export type FaqCategory = (typeof faqCategories)[number];

/** Categories listed on the troubleshooting page, by what the reader sees, rather than the FAQ page. */
export const troubleshootingCategories: readonly FaqCategory[] = [
	'requests-fail',
	'tls-errors',
	'pods-not-ready',
	'checks-fail',
	'connections-drop',
	'config-ignored',
	'install-fails',
	'harmless-logs',
];

const anchorId = z
	.string()
	.regex(
		/^[a-z0-9]+(?:-[a-z0-9]+)*$/,
		'ids are lower-case words joined by hyphens, e.g. "restart-pods"'
	);

/**
 * One FAQ answer, an MDX file under `content/faq/`. Its `id` is the anchor and URL a ticket
 * links to; it is chosen once and never derived from the question, so rewording is safe.
 */
export function faqSchema<M extends z.ZodType>(meshRef: M) {
	return z.object({
		/** Stable anchor: `/faq/#<id>` and `/faq/<id>/`. Never change it; add the old id to `aliases` if you must. */
		id: anchorId,
		/** The question as readers ask it. */
		question: z.string().min(10).max(120, 'question must be at most 120 characters'),
		/** One- or two-sentence answer used for link unfurls, search results and "copy as Markdown". */
		summary: z
			.string()
			.min(20)
			.max(200, 'summary must be at most 200 characters (it is the unfurl text)'),
		/** Section of the FAQ page. */
		category: z.enum(faqCategories, {
			error: `category must be one of ${faqCategories.join(', ')}`,
		}),
		/** Order within the category; lower comes first. */
		order: z.number().int().min(0),
		/** Meshes the answer concerns; empty for general questions. */
		meshes: z.array(meshRef).default([]),
		/** Releases and date the answer was checked against. */
		verified: verifiedSchema,
		/** Guide pages (root-relative, may include #fragment) that go deeper. */
		related: z
			.array(
				z
					.string()
					.regex(
						/^\/[a-z0-9/-]*\/(?:#[a-z0-9-]+)?$/,
						'related links are root-relative page URLs like /istio/security/#default-deny'
					)
			)
			.default([]),
		/** Former ids of this entry; their links keep landing here. */
		aliases: z.array(anchorId).default([]),
		/** Upstream pages the answer rests on. */
		sources: z
			.array(
				z.object({
					title: z.string().min(3),
					url: z.url().startsWith('https://', 'source urls must be https://'),
					vendor: z.boolean().default(false),
				})
			)
			.min(1, 'every answer lists at least one upstream source (sources: [{ title, url }])'),
		/**
		 * Exact error texts or symptoms the answer explains, as a reader would paste them. Shown
		 * above the answer and indexed, so a pasted error finds it.
		 */
		errors: z.array(z.string().min(8)).default([]),
		/**
		 * Other ways people ask this: paraphrases, titles of the upstream issues it answers, error
		 * texts. Indexed by search with the question's weight and shown nowhere else; not part of
		 * the revision text, so adding one needs no new revision.
		 */
		asked: z.array(z.string().min(4).max(300)).default([]),
	});
}
