import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import { listFiles } from '../../src/lib/dist-files.ts';
import { readFrontmatter } from '../../src/lib/frontmatter.ts';
import { findKnownErrors, knownErrors } from './known-errors.ts';
import { pageSchema } from '../../src/schemas/page.ts';
import { siteConfig } from '../../src/site.config.ts';

const docs = listFiles('content/docs').filter((f) => f.endsWith('.mdx'));
const schema = pageSchema(z.enum(['istio', 'linkerd']));

/** The pages the knowledge-base issue asks for, by URL path. */
const required = [
	'index',
	'concepts/what-a-mesh-solves',
	'decide/choosing',
	'istio/architecture',
	'istio/install',
	'istio/enrol',
	'istio/traffic',
	'istio/security',
	'istio/debugging',
	'istio/upgrades',
	'linkerd/architecture',
	'linkerd/install',
	'linkerd/enable',
	'linkerd/traffic',
	'linkerd/security',
	'linkerd/observability',
	'linkerd/upgrades',
	'operate/overhead',
	'operate/day-two',
	'operate/migration',
	'reference/glossary',
];

describe('the knowledge base', () => {
	it('has every required page', () => {
		const present = new Set(docs.map((f) => f.replace(/\.mdx$/, '')));
		expect(required.filter((p) => !present.has(p))).toEqual([]);
	});

	it.each(docs)('%s carries a version stamp and upstream sources', (file) => {
		const data = schema.parse(readFrontmatter(readFileSync(`content/docs/${file}`, 'utf8')));
		// The versions the site config allows, not a copy of them that could drift.
		expect(siteConfig.versions.istio).toContain(data.verified.istio);
		expect(siteConfig.versions.linkerd).toContain(data.verified.linkerd);
		expect(data.sources.length).toBeGreaterThan(0);
		for (const s of data.sources) expect(s.url).toMatch(/^https:\/\//);
	});

	it.each([
		...docs.map((f) => `content/docs/${f}`),
		// Histories keep what was once published, wrong statements included: that is their point.
		...listFiles('content/faq')
			.filter((f) => !f.endsWith('.history.yaml'))
			.map((f) => `content/faq/${f}`),
		...listFiles('content/manifests').map((f) => `content/manifests/${f}`),
		...listFiles('content/data').map((f) => `content/data/${f}`),
	])('%s repeats none of the article’s known errors', (path) => {
		expect(findKnownErrors(readFileSync(path, 'utf8'))).toEqual([]);
	});
});

describe('the known-error rules', () => {
	it('catch each wrong statement from the article, with its line', () => {
		const wrong = [
			'intro',
			'apiVersion: policy.linkerd.io/v1beta3\nkind: ServerAuthorization',
			'You prefer Rust-based infrastructure over JVM/Go/C++.',
			'Ambient became stable in Istio 1.24 (September 2024).',
			'Introduced as experimental in Istio 1.15.',
			'Multi-cluster: Yes (ServiceEntry)',
			'The default is deny for all traffic.',
			'curl -sSfL https://run.linkerd.io/install | sh',
			'Sidecar mode (legacy): each pod gets a proxy.',
			"Google's managed Anthos Service Mesh.",
			'linkerd viz install sets up Prometheus and Grafana.',
			'Add to istiod configmap: accessLogFile: /dev/stdout',
		].join('\n');
		expect(findKnownErrors(wrong).map((e) => `${e.id}@${e.line}`)).toEqual([
			'serverauthorization-v1beta3@2',
			'istio-jvm@4',
			'ambient-ga-september-2024@5',
			'ambient-experimental-1-15@6',
			'multicluster-serviceentry@7',
			'default-deny@8',
			'deprecated-linkerd-install-script@9',
			'sidecar-legacy@10',
			'anthos-service-mesh@11',
			'viz-installs-grafana@12',
			'accesslogfile-istiod-configmap@13',
		]);
	});

	it.each(knownErrors.filter((r) => r.wrong !== undefined).map((r) => [r.id, r] as const))(
		'%s catches the wrong text the site once printed, and passes its correction',
		(id, rule) => {
			expect(findKnownErrors(rule.wrong ?? '').map((e) => e.id)).toContain(id);
			if (rule.right !== undefined)
				expect(findKnownErrors(rule.right).map((e) => e.id)).not.toContain(id);
		}
	);

	it('accept the corrected statements', () => {
		const right = [
			'apiVersion: policy.linkerd.io/v1beta1\nkind: ServerAuthorization',
			'There is no JVM anywhere in Istio.',
			'Cloud Service Mesh (formerly Anthos Service Mesh).',
			'curl --proto https -sSfL https://run.linkerd.io/install-edge | sh',
		].join('\n');
		expect(findKnownErrors(right)).toEqual([]);
	});
});
