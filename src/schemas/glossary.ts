import { z } from 'astro/zod';
import { factIdsSchema } from './fact.ts';

/** One glossary entry in `content/data/glossary.yaml`. */
export const glossarySchema = z.object({
	/** Stable anchor on the glossary page; never change it once published. */
	id: z.string().regex(/^[a-z0-9-]+$/, 'id must be lower-case letters, digits and hyphens'),
	/** The term as shown on the glossary page. */
	term: z.string().min(1),
	/** Spellings linked to the entry on their first use on each page; matched as whole words. */
	match: z.array(z.string().min(1)).min(1),
	/** Plain-text definition, one to three sentences. */
	definition: z.string().min(20).max(400),
	/** Facts (content/facts) that back the definition; shown as evidence links after it. */
	facts: factIdsSchema,
});

export type GlossaryEntry = z.infer<typeof glossarySchema>;
