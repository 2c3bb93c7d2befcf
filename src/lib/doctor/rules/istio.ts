import type { Doc, Hit, Paste, Rule, Segment } from '../types.ts';
import {
	ambientNamespaces,
	annotations,
	get,
	group,
	inAmbient,
	is,
	isCore,
	isObject,
	labels,
	list,
	map,
	pasteUsesLinkerd,
	podSpec,
	str,
} from './context.ts';

const ISTIO = ['istio'];
const RELEASES = ['istio 1.30', 'istio 1.31'];
const ROOT = 'istio-system';

const hasSelector = (doc: Doc) =>
	Object.keys(map(get(doc.obj, 'spec.selector.matchLabels'))).length > 0;
const hasTargetRefs = (doc: Doc) =>
	list(get(doc.obj, 'spec.targetRefs')).length > 0 || isObject(get(doc.obj, 'spec.targetRef'));

const virtualServiceInAmbient: Rule = {
	id: 'istio-virtualservice-in-ambient',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A mesh VirtualService in an ambient namespace',
	see: '/faq/virtualservice-in-ambient/',
	facts: ['istio-virtualservice-on-waypoint-alpha'],
	check(doc, paste) {
		if (!is(doc, 'networking.istio.io', 'VirtualService') || !inAmbient(doc, paste)) return [];
		const gateways = list(get(doc.obj, 'spec.gateways'));
		if (gateways.length > 0 && !gateways.includes('mesh')) return [];
		return [
			{
				at: ['kind'],
				message:
					'In ambient mode ztunnel ignores this VirtualService and waypoints support it only as alpha; route with an HTTPRoute whose parentRef is the Service.',
			},
		];
	},
};

const envoyFilterInAmbient: Rule = {
	id: 'istio-envoyfilter-in-ambient',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'An EnvoyFilter in an ambient namespace',
	see: '/faq/virtualservice-in-ambient/',
	check(doc, paste) {
		if (!is(doc, 'networking.istio.io', 'EnvoyFilter') || !inAmbient(doc, paste)) return [];
		// An EnvoyFilter with targetRefs to a waypoint Gateway or Service does apply to it.
		if (hasTargetRefs(doc)) return [];
		return [
			{
				at: ['kind'],
				message:
					'Ambient workloads have no Envoy sidecar, so without `targetRefs` this EnvoyFilter reaches none of them; to change a waypoint, attach the filter to it with `targetRefs`.',
			},
		];
	},
};

/** The hosts by which a VirtualService in `vsNs` names Service `name` of namespace `ns`. */
function serviceHosts(name: string, ns: string, vsNs: string): string[] {
	const full = [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
	return ns === vsNs ? [name, ...full] : full;
}

const virtualServiceAndHttpRoute: Rule = {
	id: 'istio-virtualservice-and-httproute',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A VirtualService and an HTTPRoute for the same Service',
	see: '/istio/traffic/#which-api',
	facts: ['istio-virtualservice-httproute-mixing-undefined'],
	check(doc, paste) {
		if (!is(doc, 'networking.istio.io', 'VirtualService')) return [];
		const ns = doc.namespace || 'default';
		const names = new Set(
			paste.docs
				.filter(
					(d) =>
						is(d, 'gateway.networking.k8s.io', 'HTTPRoute') && (d.namespace || 'default') === ns
				)
				.flatMap((d) => list(get(d.obj, 'spec.parentRefs')))
				.map(map)
				.filter((p) => str(p['kind']) === 'Service')
				.flatMap((p) => serviceHosts(str(p['name']), str(p['namespace']) || ns, ns))
		);
		const hosts = list(get(doc.obj, 'spec.hosts')).map(str);
		const i = hosts.findIndex((h) => names.has(h));
		if (i < 0) return [];
		return [
			{
				at: ['spec', 'hosts', i],
				message: `An HTTPRoute in this paste also routes ${hosts[i]}; Istio does not support both on one Service and the result is undefined.`,
			},
		];
	},
};

const retriesAttemptsZero: Rule = {
	id: 'istio-retries-attempts-zero',
	severity: 'error',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'retries.attempts 0 with other retry settings',
	see: '/faq/istio-retry-duplicate-request/',
	facts: ['istio-retry-attempts-zero-disables'],
	check(doc) {
		if (!is(doc, 'networking.istio.io', 'VirtualService')) return [];
		return list(get(doc.obj, 'spec.http')).flatMap((route, i): Hit[] => {
			const r = map(map(route)['retries']);
			// Istio's validation: attempts 0 with perTryTimeout, a non-empty retryOn or any
			// retryRemoteLocalities (even false) is rejected.
			const others = ['retryOn', 'perTryTimeout', 'retryRemoteLocalities'].filter((k) =>
				k === 'retryOn' ? !!r[k] : r[k] !== undefined && r[k] !== null
			);
			if (r['attempts'] !== 0 || others.length === 0) return [];
			return [
				{
					at: ['spec', 'http', i, 'retries', 'attempts'],
					message: `Istio's validation webhook rejects this VirtualService: \`attempts: 0\` turns retries off, so \`${others.join('`, `')}\` ${others.length > 1 ? 'must not be set; remove them' : 'must not be set; remove it'} or set \`attempts\` above 0.`,
				},
			];
		});
	},
};

const meshWideStrict: Rule = {
	id: 'istio-mesh-wide-strict-mtls',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A mesh-wide STRICT PeerAuthentication',
	see: '/faq/strict-mtls-unmeshed/',
	facts: ['istio-default-peer-authentication-permissive'],
	check(doc) {
		if (!is(doc, 'security.istio.io', 'PeerAuthentication') || doc.namespace !== ROOT) return [];
		if (hasSelector(doc) || get(doc.obj, 'spec.mtls.mode') !== 'STRICT') return [];
		return [
			{
				at: ['spec', 'mtls', 'mode'],
				message:
					'A STRICT policy without selector in the root namespace applies to the whole mesh: every meshed workload then refuses plaintext, so calls from pods outside the mesh fail.',
			},
		];
	},
};

const portLevelNoSelector: Rule = {
	id: 'istio-port-level-mtls-without-selector',
	severity: 'error',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'portLevelMtls on a PeerAuthentication without selector',
	see: '/faq/webhook-in-mesh-x509/',
	check(doc) {
		if (!is(doc, 'security.istio.io', 'PeerAuthentication')) return [];
		if (!isObject(get(doc.obj, 'spec.portLevelMtls')) || hasSelector(doc)) return [];
		return [
			{
				at: ['spec', 'portLevelMtls'],
				message:
					"Istio's validation webhook rejects `portLevelMtls` on a namespace- or mesh-wide PeerAuthentication: it needs a `selector` with labels.",
			},
		];
	},
};

const portLevelRootAmbient: Rule = {
	id: 'istio-port-level-mtls-root-ambient',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'portLevelMtls in the root namespace with ambient workloads',
	see: '/faq/webhook-in-mesh-x509/',
	facts: ['istio-ambient-port-level-mtls-needs-selector'],
	check(doc, paste) {
		if (!is(doc, 'security.istio.io', 'PeerAuthentication') || doc.namespace !== ROOT) return [];
		if (!isObject(get(doc.obj, 'spec.portLevelMtls')) || ambientNamespaces(paste).size === 0)
			return [];
		// Without a selector the webhook rejects it already (istio-port-level-mtls-without-selector).
		if (!hasSelector(doc)) return [];
		return [
			{
				at: ['spec', 'portLevelMtls'],
				message:
					'In ambient mode `portLevelMtls` takes effect only on a policy with a selector outside the root namespace, so ztunnel ignores it here.',
			},
		];
	},
};

const POLICY_KINDS = new Set([
	'AuthorizationPolicy',
	'RequestAuthentication',
	'Telemetry',
	'WasmPlugin',
]);

const selectorAndTargetRefs: Rule = {
	id: 'istio-selector-and-targetrefs',
	severity: 'error',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A policy with both selector and targetRefs',
	see: '/istio/security/#enforcement-point',
	check(doc) {
		if (!group(doc).endsWith('.istio.io') || !POLICY_KINDS.has(doc.kind)) return [];
		if (!isObject(get(doc.obj, 'spec.selector')) || !hasTargetRefs(doc)) return [];
		return [
			{
				at: ['spec', 'selector'],
				message: `Istio's validation webhook rejects a ${doc.kind} that sets both \`selector\` and \`targetRefs\`: choose one.`,
			},
		];
	},
};

/** Where an AuthorizationPolicy uses HTTP attributes, which only Envoy (sidecar or waypoint) reads. */
function l7Fields(doc: Doc): Segment[][] {
	const out: Segment[][] = [];
	const L7_OP = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
	// ztunnel cannot see the original client of remoteIpBlocks either (ambient/authorization.go).
	const L7_SRC = [
		'requestPrincipals',
		'notRequestPrincipals',
		'remoteIpBlocks',
		'notRemoteIpBlocks',
	];
	const L4_WHEN = new Set([
		'source.ip',
		'source.namespace',
		'source.principal',
		'destination.ip',
		'destination.port',
	]);
	list(get(doc.obj, 'spec.rules')).forEach((rule, r) => {
		list(map(rule)['to']).forEach((to, t) => {
			const op = map(map(to)['operation']);
			for (const f of L7_OP) if (f in op) out.push(['spec', 'rules', r, 'to', t, 'operation', f]);
		});
		list(map(rule)['from']).forEach((from, f) => {
			const src = map(map(from)['source']);
			for (const k of L7_SRC) if (k in src) out.push(['spec', 'rules', r, 'from', f, 'source', k]);
		});
		list(map(rule)['when']).forEach((when, w) => {
			const key = str(map(when)['key']);
			if (key && !L4_WHEN.has(key)) out.push(['spec', 'rules', r, 'when', w, 'key']);
		});
	});
	return out;
}

const l7WithoutWaypoint: Rule = {
	id: 'istio-l7-authorization-without-waypoint',
	severity: 'error',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'An AuthorizationPolicy with HTTP rules and no targetRefs in ambient mode',
	see: '/faq/authz-denies-everything-ambient/',
	facts: ['istio-delete-l7-selector-policies-after-restart'],
	check(doc, paste) {
		if (!is(doc, 'security.istio.io', 'AuthorizationPolicy') || !inAmbient(doc, paste)) return [];
		const action = str(get(doc.obj, 'spec.action')) || 'ALLOW';
		if (hasTargetRefs(doc) || !['ALLOW', 'DENY'].includes(action)) return [];
		const first = l7Fields(doc)[0];
		if (!first) return [];
		return [
			{
				at: first,
				message:
					action === 'ALLOW'
						? 'In ambient mode ztunnel enforces this policy and cannot read HTTP: it drops the rules with HTTP attributes, so the traffic they allow is denied; attach the policy to a waypoint with targetRefs.'
						: 'In ambient mode ztunnel enforces this DENY policy without its HTTP conditions, so it denies more than it says; attach it to a waypoint with targetRefs.',
			},
		];
	},
};

const injectionAndRev: Rule = {
	id: 'istio-injection-label-and-revision',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A namespace with both istio-injection and istio.io/rev',
	see: '/istio/upgrades/#revisions',
	facts: ['istio-injection-label-wins-over-rev'],
	check(doc) {
		if (!isCore(doc, 'Namespace')) return [];
		const l = labels(doc);
		if (l['istio-injection'] !== 'enabled' || !('istio.io/rev' in l)) return [];
		return [
			{
				at: ['metadata', 'labels', 'istio.io/rev'],
				message:
					'With `istio-injection=enabled` set, the revision label is ignored: pods keep the default revision until you remove `istio-injection`.',
			},
		];
	},
};

const ambientAndSidecar: Rule = {
	id: 'istio-ambient-and-sidecar-injection',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A namespace labelled for ambient and for sidecar injection',
	see: '/faq/ambient-pod-not-captured/',
	facts: ['ambient-capture-skips-hostnetwork-and-sidecars'],
	check(doc) {
		if (!isCore(doc, 'Namespace')) return [];
		const l = labels(doc);
		if (l['istio.io/dataplane-mode'] !== 'ambient') return [];
		if (l['istio-injection'] !== 'enabled' && !('istio.io/rev' in l)) return [];
		return [
			{
				at: ['metadata', 'labels', 'istio.io/dataplane-mode'],
				message:
					'Pods here get a sidecar from the injection label, and ambient never captures a pod that has one: pick one data plane per namespace.',
			},
		];
	},
};

const ambientHostNetwork: Rule = {
	id: 'istio-ambient-host-network',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A host-network pod in an ambient namespace',
	see: '/faq/ambient-pod-not-captured/',
	facts: ['ambient-capture-skips-hostnetwork-and-sidecars'],
	check(doc, paste) {
		const pod = podSpec(doc);
		if (!pod || pod.spec['hostNetwork'] !== true) return [];
		const podAmbient = map(pod.meta['labels'])['istio.io/dataplane-mode'] === 'ambient';
		if (!podAmbient && !inAmbient(doc, paste)) return [];
		return [
			{
				at: [...pod.at, 'hostNetwork'],
				message:
					"A host-network pod shares the node's network namespace, so ambient cannot mesh it whatever its labels say (istio-cni 1.30 still tries to enroll it; 1.31 skips it).",
			},
		];
	},
};

const injectionAnnotation: Rule = {
	id: 'istio-injection-as-annotation',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'istio-injection or istio.io/rev written as a namespace annotation',
	see: '/faq/istio-sidecar-not-injected/',
	facts: ['istio-injection-namespace-labels'],
	check(doc) {
		if (!isCore(doc, 'Namespace')) return [];
		const a = annotations(doc);
		const key = ['istio-injection', 'istio.io/rev'].find((k) => k in a && !(k in labels(doc)));
		if (!key) return [];
		return [
			{
				at: ['metadata', 'annotations', key],
				message: `The injection webhook selects namespaces by label, so \`${key}\` as an annotation injects nothing.`,
			},
		];
	},
};

const useWaypointNamespace: Rule = {
	id: 'istio-use-waypoint-other-namespace',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'istio.io/use-waypoint naming a waypoint of another namespace without its namespace',
	see: '/istio/enrol/#shared-waypoint',
	facts: ['istio-use-waypoint-namespace-label'],
	check(doc, paste) {
		const l = labels(doc);
		const name = str(l['istio.io/use-waypoint']);
		if (!name || 'istio.io/use-waypoint-namespace' in l) return [];
		const own = isCore(doc, 'Namespace') ? doc.name : doc.namespace || 'default';
		const waypoints = paste.docs.filter(
			(d) => is(d, 'gateway.networking.k8s.io', 'Gateway') && d.name === name
		);
		if (waypoints.length === 0 || waypoints.some((w) => (w.namespace || 'default') === own))
			return [];
		return [
			{
				at: ['metadata', 'labels', 'istio.io/use-waypoint'],
				message: `The waypoint ${name} is in namespace ${waypoints[0]?.namespace ?? ''}, but without \`istio.io/use-waypoint-namespace\` Istio looks for it in ${own}.`,
			},
		];
	},
};

const failoverNoOutlier: Rule = {
	id: 'istio-locality-failover-without-outlier-detection',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'Locality failover without outlierDetection',
	see: '/faq/istio-cross-zone-traffic/',
	facts: ['istio-locality-failover-needs-outlier-detection'],
	check(doc) {
		if (!is(doc, 'networking.istio.io', 'DestinationRule')) return [];
		const policy = map(get(doc.obj, 'spec.trafficPolicy'));
		const locality = map(get(policy, 'loadBalancer.localityLbSetting'));
		if (!('failover' in locality || 'failoverPriority' in locality) || 'outlierDetection' in policy)
			return [];
		// A subset's outlierDetection merges into the top-level policy for that subset's cluster.
		const subsetOutlier = list(get(doc.obj, 'spec.subsets')).some(
			(sub) => 'outlierDetection' in map(get(sub, 'trafficPolicy'))
		);
		if (subsetOutlier) return [];
		return [
			{
				at: ['spec', 'trafficPolicy', 'loadBalancer', 'localityLbSetting'],
				message:
					'Locality failover applies only where the DestinationRule also sets `outlierDetection`, so this setting does nothing.',
			},
		];
	},
};

/**
 * How Istio reads a port's protocol (pkg/config/kube ConvertProtocol at 1.31): `appProtocol`
 * when set, else the port name, each cut at the first '-' and lower-cased; the kubernetes.io
 * values only count in `appProtocol`.
 */
const HTTP_FAMILY = new Set([
	'http',
	'http2',
	'grpc',
	'grpc-web',
	'kubernetes.io/h2c',
	'kubernetes.io/ws',
]);
const OPAQUE_FAMILY = new Set([
	'tcp',
	'tls',
	'https',
	'mongo',
	'mysql',
	'redis',
	'kubernetes.io/wss',
]);
function family(value: string, isName: boolean): string {
	const v = value.toLowerCase();
	if (!isName && v.startsWith('kubernetes.io/'))
		return HTTP_FAMILY.has(v) ? 'http' : OPAQUE_FAMILY.has(v) ? 'tcp' : '';
	const prefix = v.startsWith('grpc-web') ? 'grpc-web' : (v.split('-')[0] ?? '');
	return HTTP_FAMILY.has(prefix) ? 'http' : OPAQUE_FAMILY.has(prefix) ? 'tcp' : '';
}

const appProtocolVsName: Rule = {
	id: 'istio-appprotocol-overrides-port-name',
	severity: 'warning',
	meshes: ISTIO,
	releases: RELEASES,
	title: 'A Service port whose name and appProtocol disagree',
	see: '/concepts/protocol-detection/#istio',
	facts: ['istio-appprotocol-h2c-is-http2'],
	check(doc, paste: Paste) {
		if (!isCore(doc, 'Service') || pasteUsesLinkerd(paste)) return [];
		return list(get(doc.obj, 'spec.ports')).flatMap((port, i): Hit[] => {
			const p = map(port);
			const a = family(str(p['appProtocol']), false);
			const n = family(str(p['name']), true);
			if (!a || !n || a === n) return [];
			return [
				{
					at: ['spec', 'ports', i, 'appProtocol'],
					message: `Istio uses \`appProtocol: ${p['appProtocol']}\` and ignores the port name ${p['name']}, so ${a === 'http' ? 'this port is handled as HTTP' : 'Istio does not parse HTTP on this port'}.`,
				},
			];
		});
	},
};

export const istioRules: Rule[] = [
	virtualServiceInAmbient,
	envoyFilterInAmbient,
	virtualServiceAndHttpRoute,
	retriesAttemptsZero,
	meshWideStrict,
	portLevelNoSelector,
	portLevelRootAmbient,
	selectorAndTargetRefs,
	l7WithoutWaypoint,
	injectionAndRev,
	ambientAndSidecar,
	ambientHostNetwork,
	injectionAnnotation,
	useWaypointNamespace,
	failoverNoOutlier,
	appProtocolVsName,
];
