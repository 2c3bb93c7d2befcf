import { z } from 'astro/zod';

/** Topics of the facts page, in page order. */
export const factTopics = [
	'install',
	'injection',
	'identity',
	'traffic',
	'policy',
	'egress',
	'gateway-api',
	'multicluster',
	'upgrades',
	'observability',
	'resources',
	'lifecycle',
	'networking',
	'errors',
] as const;

/** Whom a fact is about: a mesh, or the software that prints an error text. */
export const factSubjects = [
	'istio',
	'linkerd',
	'gateway-api',
	'kubernetes',
	'envoy',
	'go',
	'curl',
	'helm',
] as const;

/** One quoted place upstream that proves a fact. */
export const evidenceSchema = z.object({
	/** GitHub owner/name. */
	repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'repo must be "owner/name"'),
	/** The tag (or, for repositories without tags, the commit) the quote was read at. */
	ref: z.string().min(1),
	/** Path of the file inside the repository; vendored at vendor/upstream/files/<repo>/<ref>/<path>. */
	path: z.string().min(1),
	/** One or a few verbatim lines of that file; compared with whitespace normalised. */
	quote: z.string().min(3),
});

/** One entry of `content/facts/*.yaml`. */
export const factSchema = z.object({
	/** Stable anchor on the facts page and the id pages use; never rename it once published. */
	id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id must be lower-case letters, digits and hyphens'),
	/** Former ids of facts merged into this one: their anchors on the facts page still land here. */
	aliases: z
		.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an alias is a former fact id in kebab-case'))
		.optional(),
	topic: z.enum(factTopics),
	mesh: z.enum(factSubjects),
	/** One plain sentence; `code` allowed. */
	statement: z.string().min(10).max(400),
	/** The bare value where the fact has one: a port, a default, a key, a version range. */
	value: z.string().min(1).optional(),
	/** Releases the fact holds for, as "<project> <release>" (e.g. "istio 1.31", "linkerd version-2.20"). */
	holds: z.array(z.string().regex(/^[\w-]+ \S+$/, 'write "<project> <release>"')).optional(),
	evidence: z.array(evidenceSchema).min(1, 'a fact needs at least one piece of evidence'),
});

export type Fact = z.infer<typeof factSchema>;
export type Evidence = z.infer<typeof evidenceSchema>;

/** `facts: [id, ...]` on a data entry: the facts that back its claim (checked against the registry). */
export const factIdsSchema = z
	.array(
		z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a fact id is lower-case letters, digits and hyphens')
	)
	.min(1)
	.optional();
