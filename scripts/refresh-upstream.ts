import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadFacts } from '../src/lib/facts.ts';
import { collectFactRefs, pagesByFact } from '../src/lib/fact-refs.ts';
import { calculatorFactRefs } from '../src/lib/calculator-facts.ts';
import { drift, driftReport, mirrorReader } from './lib/drift.ts';

/**
 * Re-downloads the vendored upstream schema data (vendor/upstream/) from the pinned tags listed
 * in vendor/upstream/PROVENANCE.md. Needs internet access; the tests never call it.
 * Usage: npm run vendor:refresh
 * First it rebuilds the CLI references from the local git mirrors and re-checks every command on
 * the site (scripts/vendor-cli.ts; `npm run vendor:refresh -- --istioctl 1.31=1.31.0` moves a tag).
 *
 * Drift mode re-checks the facts' quotes against a newer tag, read from the local git mirrors,
 * and prints the facts whose evidence changed or vanished and the pages that state them; it
 * exits 1 when any did, and changes nothing:
 *   npm run vendor:refresh -- --drift <owner/repo> <new-tag> [--from <old-ref>]
 */
const driftAt = process.argv.indexOf('--drift');
if (driftAt > 0) {
	const [repo, to] = process.argv.slice(driftAt + 1);
	const fromAt = process.argv.indexOf('--from');
	const from = fromAt > 0 ? process.argv[fromAt + 1] : undefined;
	if (!repo || !to || repo.startsWith('--') || to.startsWith('--')) {
		console.error(
			'usage: npm run vendor:refresh -- --drift <owner/repo> <new-tag> [--from <old-ref>]'
		);
		process.exit(2);
	}
	const facts = loadFacts();
	const pages = pagesByFact('content', collectFactRefs('content', calculatorFactRefs));
	const found = drift({
		facts,
		repo,
		from,
		to,
		read: mirrorReader(),
		pagesOf: (id) => pages.get(id) ?? [],
	});
	console.log(driftReport(repo, from, to, found));
	process.exit(found.length > 0 ? 1 : 0);
}

await import('./vendor-cli.ts');

const raw = (repo: string, ref: string, path: string) =>
	`https://raw.githubusercontent.com/${repo}/${ref}/${path}`;

const istioCharts = [
	'base',
	'default',
	'gateway',
	'istio-cni',
	'istio-control/istio-discovery',
	'ztunnel',
];
const linkerdCharts = ['linkerd-control-plane', 'linkerd-crds', 'linkerd2-cni', 'partials'];
const linkerdPolicyCrds = [
	'authorization-policy',
	'egress-network',
	'http-local-ratelimit-policy',
	'httproute',
	'meshtls-authentication',
	'network-authentication',
	'server-authorization',
	'server',
];
const gatewayKinds = ['gatewayclasses', 'gateways', 'grpcroutes', 'httproutes', 'referencegrants'];

const jobs: { url: string; to: string; transform?: (s: string) => string }[] = [
	{
		url: raw('istio/istio', '1.30.3', 'manifests/charts/base/files/crd-all.gen.yaml'),
		to: 'crds/istio/crd-all.gen.yaml',
	},
	...linkerdPolicyCrds.map((name) => ({
		url: raw(
			'linkerd/linkerd2',
			'version-2.20',
			`charts/linkerd-crds/templates/policy/${name}.yaml`
		),
		to: `crds/linkerd/${name}.yaml`,
		// Helm template lines (annotations, labels) are not YAML; the schemas do not need them.
		transform: (s: string) =>
			s
				.split('\n')
				.filter((l) => !l.includes('{{'))
				.join('\n'),
	})),
	...gatewayKinds.map((kind) => ({
		url: raw(
			'kubernetes-sigs/gateway-api',
			'v1.6.1',
			`config/crd/standard/gateway.networking.k8s.io_${kind}.yaml`
		),
		to: `crds/gateway-api/${kind}.yaml`,
	})),
	{
		url: raw(
			'cert-manager/cert-manager',
			'v1.21.1',
			'deploy/crds/cert-manager.io_certificates.yaml'
		),
		to: 'names/cert-manager/certificates.yaml',
	},
	...['1.30.3', '1.31.0-rc.0'].flatMap((tag) =>
		istioCharts.map((chart) => ({
			url: raw('istio/istio', tag, `manifests/charts/${chart}/values.yaml`),
			to: `charts/istio-${tag}/${chart}/values.yaml`,
		}))
	),
	...linkerdCharts.map((chart) => ({
		url: raw('linkerd/linkerd2', 'version-2.20', `charts/${chart}/values.yaml`),
		to: `charts/linkerd-version-2.20/${chart}/values.yaml`,
	})),
];

let failed = 0;
for (const job of jobs) {
	const res = await fetch(job.url);
	if (!res.ok) {
		console.error(`${res.status} ${job.url}`);
		failed++;
		continue;
	}
	const text = await res.text();
	const to = join('vendor/upstream', job.to);
	mkdirSync(dirname(to), { recursive: true });
	writeFileSync(to, job.transform ? job.transform(text) : text);
	console.log(`${to} <- ${job.url}`);
}
if (failed > 0) {
	console.error(`${failed} download(s) failed; vendor/upstream is partly refreshed.`);
	process.exit(1);
}
