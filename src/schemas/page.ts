import { z } from 'astro/zod';
import { sectionIds } from '../site.config.ts';
import { verifiedSchema } from './verified.ts';

/** What a page is, for search filters and page chrome. */
export const pageKinds = ['guide', 'concept', 'reference', 'faq'] as const;

/** How search filters and badges name each kind. */
export const pageKindLabels: Record<(typeof pageKinds)[number], string> = {
	guide: 'Guides',
	concept: 'Concepts',
	reference: 'Reference',
	faq: 'FAQ',
};

/** An upstream document a page's statements rest on. */
export const sourceSchema = z.object({
	/** Human-readable name of the source, e.g. "Istio docs: Install with Helm". */
	title: z.string().min(1, 'each source needs a title'),
	/** Absolute https URL of the source. */
	url: z.url({ protocol: /^https$/, error: 'each source url must be an absolute https:// URL' }),
	/** Set when the source is a vendor's own benchmark or claim, so the page can say so. */
	vendor: z.boolean().optional(),
});

/**
 * Frontmatter of every MDX page under `content/docs/`. `meshRef` is the schema of a mesh
 * reference: `reference('meshes')` in the build, a plain enum in unit tests.
 */
export function pageSchema<M extends z.ZodType>(meshRef: M) {
	return z.object({
		/** Page title: the `<h1>`, `<title>` and Open Graph title. */
		title: z
			.string({ error: 'title is required: a short page title (at most 70 characters)' })
			.min(1)
			.max(70, 'title must be at most 70 characters so it fits in search results'),
		/** Summary for `<meta name="description">` and Open Graph; at most 160 characters. */
		description: z
			.string({ error: 'description is required: one sentence of at most 160 characters' })
			.min(20, 'description must be at least 20 characters: say what the reader gets')
			.max(160, 'description must be at most 160 characters (it is used for meta and Open Graph)'),
		/** Where the page sits in the sidebar. */
		nav: z.object(
			{
				/** Sidebar section id, one of the `sections` in `src/site.config.ts`. */
				section: z.enum(sectionIds, {
					error: `nav.section must be one of ${sectionIds.join(', ')} (see sections in src/site.config.ts)`,
				}),
				/** Position within the section; lower comes first. */
				order: z
					.number({ error: 'nav.order must be a number' })
					.int('nav.order must be a whole number')
					.min(0, 'nav.order must be 0 or more'),
				/** Shorter sidebar label when the title is long. */
				label: z.string().min(1).max(40).optional(),
			},
			{ error: 'nav is required: { section, order } places the page in the sidebar' }
		),
		/** Kind of page, used by search filters. */
		kind: z.enum(pageKinds, { error: `kind must be one of ${pageKinds.join(', ')}` }),
		/** Meshes the page is about; empty means it is about the choice or about neither. */
		meshes: z.array(meshRef).default([]),
		/** Releases and date the page was verified against. */
		verified: verifiedSchema,
		/** Upstream sources for the page's statements; at least one. */
		sources: z
			.array(sourceSchema, {
				error: 'sources is required: a list of { title, url } upstream documents',
			})
			.min(1, 'sources must list at least one upstream document'),
		/** Hide the on-page table of contents (for very short pages). */
		toc: z.boolean().default(true),
		/** Leave the page out of the search index. */
		pagefind: z.boolean().default(true),
	});
}
