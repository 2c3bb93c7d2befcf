import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Re-downloads the vendored upstream schema data (vendor/upstream/) from the pinned tags listed
 * in vendor/upstream/PROVENANCE.md. Needs internet access; the tests never call it.
 * Usage: npm run vendor:refresh
 * First it rebuilds the CLI references from the local git mirrors and re-checks every command on
 * the site (scripts/vendor-cli.ts; `npm run vendor:refresh -- --istioctl 1.31=1.31.0` moves a tag).
 */

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
