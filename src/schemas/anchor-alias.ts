import { z } from 'astro/zod';

/** One renamed heading anchor in `content/data/anchor-aliases.yaml`. */
export const anchorAliasSchema = z.object({
	/** Path of the page, with leading and trailing slash, e.g. `/istio/security/`. */
	page: z.string().regex(/^\/(?:[a-z0-9-]+\/)*$/, 'page must be a path like /istio/security/'),
	/** The former id, which links may still use. */
	from: z.string().regex(/^[a-z0-9-]+$/),
	/** The id it now stands for; must exist on the page. */
	to: z.string().regex(/^[a-z0-9-]+$/),
});
