import { z } from 'astro/zod';

/**
 * The one place for site-wide settings. Parsed once, so a bad value fails the build here
 * with a readable message instead of surfacing as a broken link deep in a page.
 */
const siteConfigSchema = z.object({
	/** Site name shown in the header, titles and Open Graph tags. */
	title: z.string().min(1),
	/** One-sentence summary used where a page has no description of its own. */
	tagline: z.string().min(1).max(160),
	/** Origin the site is published at; gives absolute canonical and Open Graph URLs. */
	site: z.url(),
	/** Sub-path the site is served under, always with leading and trailing slash. */
	base: z.string().regex(/^\/(?:[\w.-]+\/)*$/, 'base must look like "/" or "/docs/mesh/"'),
	/** Navigation sections, in the order the sidebar shows them. */
	sections: z
		.array(z.object({ id: z.string().regex(/^[a-z-]+$/), label: z.string().min(1) }))
		.min(1),
	/**
	 * Versions the guide is verified against. Pages name one of each in `verified`;
	 * anything else is a build error, so the stamps cannot drift apart.
	 */
	versions: z.object({
		/** Istio minor releases a page may claim, newest first. */
		istio: z.array(z.string().regex(/^1\.\d+$/)).min(1),
		/** Linkerd major versions a page may claim, newest first. */
		linkerd: z.array(z.string().regex(/^2\.\d+$/)).min(1),
		/** The open-source edge release the newest Linkerd major version was checked on. */
		linkerdEdge: z.string().regex(/^edge-\d+\.\d+\.\d+$/),
		/** Gateway API CRD release the manifests are validated against. */
		gatewayApi: z.string().regex(/^v\d+\.\d+\.\d+$/),
	}),
	/** What each API group's manifests are validated against, shown on every example. */
	schemaSources: z.record(z.string(), z.string()),
});

export type SiteConfig = z.infer<typeof siteConfigSchema>;

/** Normalises "docs/mesh", "/docs/mesh" or "/docs/mesh/" to "/docs/mesh/". */
export function normaliseBase(raw: string | undefined): string {
	const trimmed = (raw ?? '').trim().replace(/^\/+|\/+$/g, '');
	return trimmed ? `/${trimmed}/` : '/';
}

const env = typeof process === 'undefined' ? {} : process.env;

/**
 * Where the content lives: `content/` at the repository root. KB_CONTENT_ROOT points the build at
 * another tree, so tests can build fixture sites (a broken page, a third mesh) with the site's code.
 */
export const contentRoot = (env['KB_CONTENT_ROOT'] ?? 'content').replace(/^\.\/|\/+$/g, '');

export const siteConfig: SiteConfig = siteConfigSchema.parse({
	title: 'Mesh Field Guide',
	tagline:
		'Decide on, install and run a Kubernetes service mesh: Istio, Linkerd, or neither. Verified against current releases.',
	site: env['SITE_URL'] ?? 'http://localhost:4321',
	base: normaliseBase(env['SITE_BASE']),
	sections: [
		{ id: 'start', label: 'Start here' },
		{ id: 'decide', label: 'Decide' },
		{ id: 'istio', label: 'Istio' },
		{ id: 'linkerd', label: 'Linkerd' },
		{ id: 'network', label: 'Networking' },
		{ id: 'operate', label: 'Operate' },
		{ id: 'troubleshoot', label: 'Troubleshooting' },
		{ id: 'reference', label: 'Reference' },
	],
	versions: {
		istio: ['1.31', '1.30'],
		linkerd: ['2.20'],
		linkerdEdge: 'edge-26.8.3',
		gatewayApi: 'v1.6.1',
	},
	schemaSources: {
		'security.istio.io': 'Istio 1.30.3 CRDs',
		'networking.istio.io': 'Istio 1.30.3 CRDs',
		'telemetry.istio.io': 'Istio 1.30.3 CRDs',
		'extensions.istio.io': 'Istio 1.30.3 CRDs',
		'policy.linkerd.io': 'Linkerd 2.20 CRDs',
		'gateway.networking.k8s.io': 'Gateway API v1.6.1 CRDs (standard channel)',
	},
});

/** "2.20 (edge-26.8.3)" for the newest Linkerd version, which was checked on that edge release. */
export function linkerdLabel(version: string): string {
	return version === siteConfig.versions.linkerd[0]
		? `${version} (${siteConfig.versions.linkerdEdge})`
		: version;
}

export const sectionIds = siteConfig.sections.map((s) => s.id) as [string, ...string[]];
