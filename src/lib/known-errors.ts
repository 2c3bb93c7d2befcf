/**
 * Statements the source article got wrong (see ../shared/facts.md). Content must never repeat
 * them; `src/content-rules.test.ts` scans every page and data file with these rules.
 */
export interface KnownError {
	/** Short name used in test output. */
	id: string;
	/** Pattern that matches the wrong statement. */
	pattern: RegExp;
	/** What is true instead, so the author knows how to fix the page. */
	fix: string;
}

export const knownErrors: KnownError[] = [
	{
		id: 'serverauthorization-v1beta3',
		pattern: /apiVersion:\s*policy\.linkerd\.io\/v1beta3\s*\n\s*kind:\s*ServerAuthorization/,
		fix: 'ServerAuthorization is served as policy.linkerd.io/v1beta1 (or use AuthorizationPolicy)',
	},
	{
		id: 'istio-jvm',
		pattern: /\bJVM[- ]based\b|\bIstio (?:is|runs on) (?:a |the )?JVM\b|over JVM\/Go\/C\+\+/i,
		fix: 'Istio has no JVM component: istiod is Go, Envoy is C++, ztunnel is Rust',
	},
	{
		id: 'ambient-ga-september-2024',
		pattern: /September 2024/i,
		fix: 'ambient mode went GA in Istio 1.24, announced 7 November 2024',
	},
	{
		id: 'ambient-experimental-1-15',
		pattern: /Istio 1\.15\b/,
		fix: 'ambient shipped first as alpha in Istio 1.18; it was never part of 1.15',
	},
	{
		id: 'multicluster-serviceentry',
		pattern: /multi-?cluster[^.\n]{0,60}ServiceEntry|ServiceEntry[^.\n]{0,40}multi-?cluster/i,
		fix: 'Istio multicluster uses a shared root CA and remote secrets (plus east-west gateways across networks)',
	},
	{
		id: 'default-deny',
		pattern: /\bthe default is deny\b|\bdeny(?:-| )by(?:-| )default (?:on|after|from) install/i,
		fix: 'both meshes allow traffic until a policy says otherwise',
	},
	{
		id: 'deprecated-linkerd-install-script',
		pattern: /run\.linkerd\.io\/install(?!-edge)[^\n]*\|\s*sh/,
		fix: 'use https://run.linkerd.io/install-edge; the old script is deprecated',
	},
	{
		id: 'sidecar-legacy',
		pattern: /sidecar mode \(legacy\)|legacy sidecar mode/i,
		fix: 'Istio calls sidecars first-class and fully supported',
	},
	{
		id: 'anthos-service-mesh',
		pattern: /(?<!formerly )Anthos Service Mesh/,
		fix: "Google's managed Istio is now Cloud Service Mesh",
	},
	{
		id: 'viz-installs-grafana',
		pattern:
			/viz[^.\n]{0,40}(?<!no longer |not |never )(?:installs|includes|bundles|sets up)[^.\n]{0,40}Grafana/i,
		fix: 'linkerd viz has not bundled Grafana since 2.12',
	},
	{
		id: 'accesslogfile-istiod-configmap',
		pattern: /istiod configmap/i,
		fix: 'accessLogFile is mesh-wide, in the ConfigMap "istio" under key "mesh"; per namespace use the Telemetry API',
	},
];

/** Known errors found in one file's text, with the 1-based line of each. */
export function findKnownErrors(text: string): { id: string; line: number; fix: string }[] {
	const found: { id: string; line: number; fix: string }[] = [];
	for (const rule of knownErrors) {
		const re = new RegExp(
			rule.pattern.source,
			rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`
		);
		for (const m of text.matchAll(re)) {
			found.push({ id: rule.id, line: text.slice(0, m.index).split('\n').length, fix: rule.fix });
		}
	}
	return found;
}
