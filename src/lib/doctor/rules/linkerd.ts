import type { Doc, Hit, Paste, Rule, Segment } from '../types.ts';
import {
	annotations,
	get,
	is,
	isCore,
	isObject,
	labels,
	list,
	map,
	pasteUsesLinkerd,
	podSpec,
	sameNamespace,
	selects,
	str,
} from './context.ts';

const LINKERD = ['linkerd'];
const RELEASES = ['linkerd 2.20', 'linkerd edge-26.8.3'];
const POLICY = 'policy.linkerd.io';

const isRouteKind = (d: Doc) =>
	['HTTPRoute', 'GRPCRoute'].includes(d.kind) &&
	(d.apiVersion.startsWith('policy.linkerd.io/') ||
		d.apiVersion.startsWith('gateway.networking.k8s.io/'));

/** Whether the paste holds a policy that authorizes traffic to this Server (or its routes). */
function authorized(server: Doc, paste: Paste): boolean {
	const ns = sameNamespace(server, paste);
	const routes = new Set(
		ns
			.filter(
				(d) =>
					isRouteKind(d) &&
					list(get(d.obj, 'spec.parentRefs')).some(
						(p) => str(map(p)['kind']) === 'Server' && str(map(p)['name']) === server.name
					)
			)
			.map((d) => d.name)
	);
	return ns.some((d) => {
		if (is(d, POLICY, 'ServerAuthorization')) {
			const s = map(get(d.obj, 'spec.server'));
			if (str(s['name']) === server.name) return true;
			return isObject(s['selector']) && selects(s['selector'], labels(server));
		}
		if (!is(d, POLICY, 'AuthorizationPolicy')) return false;
		const t = map(get(d.obj, 'spec.targetRef'));
		const kind = str(t['kind']);
		return (
			kind === 'Namespace' ||
			(kind === 'Server' && str(t['name']) === server.name) ||
			(kind === 'HTTPRoute' && routes.has(str(t['name']))) ||
			(kind === 'GRPCRoute' && routes.has(str(t['name'])))
		);
	});
}

const permissive = (server: Doc) => {
	const access = str(get(server.obj, 'spec.accessPolicy'));
	return access !== '' && access !== 'deny';
};

const serverNoAuthorization: Rule = {
	id: 'linkerd-server-no-authorization',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'A Linkerd Server that nothing in the paste authorizes',
	see: '/faq/linkerd-authz-403/',
	facts: ['linkerd-server-access-policy-deny'],
	check(doc, paste) {
		if (!is(doc, POLICY, 'Server') || permissive(doc) || authorized(doc, paste)) return [];
		if (rateLimited(doc, paste)) return [];
		return [
			{
				at: ['metadata', 'name'],
				message: `No policy in this paste authorizes Server ${doc.name}, and its accessPolicy defaults to deny: unless one exists in the cluster, every request to its port is refused (403 for HTTP), except kubelet probes while no route attaches to it.`,
			},
		];
	},
};

const rateLimited = (server: Doc, paste: Paste) =>
	sameNamespace(server, paste).some(
		(d) =>
			is(d, POLICY, 'HTTPLocalRateLimitPolicy') &&
			str(get(d.obj, 'spec.targetRef.kind')) === 'Server' &&
			str(get(d.obj, 'spec.targetRef.name')) === server.name
	);

const rateLimitServerDenies: Rule = {
	id: 'linkerd-rate-limit-server-no-authorization',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'A Server created for a rate limit, with no authorization',
	see: '/faq/linkerd-rate-limit-blocks/',
	facts: ['linkerd-rate-limit-server-denies'],
	check(doc, paste) {
		if (!is(doc, POLICY, 'Server') || permissive(doc) || authorized(doc, paste)) return [];
		if (!rateLimited(doc, paste)) return [];
		return [
			{
				at: ['metadata', 'name'],
				message: `Server ${doc.name} carries a rate limit but nothing authorizes it, so it denies all traffic: add an AuthorizationPolicy or set accessPolicy.`,
			},
		];
	},
};

/** Probe ports (number or name) and paths of the workloads in the paste. */
function probes(paste: Paste, ns: string): { port: unknown; path: string; doc: Doc }[] {
	const out: { port: unknown; path: string; doc: Doc }[] = [];
	for (const d of paste.docs) {
		if ((d.namespace || 'default') !== ns) continue;
		for (const c of list(podSpec(d)?.spec['containers'])) {
			for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
				const http = map(get(c, `${probe}.httpGet`));
				if ('port' in http)
					out.push({ port: http['port'], path: str(http['path']) || '/', doc: d });
			}
		}
	}
	return out;
}

const routeMatchesPath = (route: Doc, path: string) =>
	list(get(route.obj, 'spec.rules')).some((r) => {
		const matches = list(map(r)['matches']);
		if (matches.length === 0) return true;
		return matches.some((m) => {
			const p = map(map(m)['path']);
			const value = str(p['value']) || '/';
			const type = str(p['type']) || 'PathPrefix';
			return type === 'Exact' ? value === path : path.startsWith(value);
		});
	});

const probesWithRoutes: Rule = {
	id: 'linkerd-probes-unauthorized-with-routes',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: "Routes on a Server that serves the pods' HTTP probes",
	see: '/faq/linkerd-probes-httproute/',
	facts: ['linkerd-probes-unauthorized-with-routes'],
	check(doc, paste) {
		if (!is(doc, POLICY, 'Server')) return [];
		const port = get(doc.obj, 'spec.port');
		const routes = sameNamespace(doc, paste).filter(
			(d) =>
				isRouteKind(d) &&
				list(get(d.obj, 'spec.parentRefs')).some(
					(p) => str(map(p)['kind']) === 'Server' && str(map(p)['name']) === doc.name
				)
		);
		if (routes.length === 0) return [];
		const selector = get(doc.obj, 'spec.podSelector');
		// With routes attached, Linkerd drops its default probe routes: a probe needs a route that
		// matches its path and an authorization (the Server's or that route's) that admits the
		// kubelet's unauthenticated requests.
		for (const p of probes(paste, doc.namespace || 'default')) {
			if (!selects(selector, map(podSpec(p.doc)?.meta['labels']))) continue;
			if (p.port !== port && portNumber(p.doc, p.port) !== port && portName(p.doc, p.port) !== port)
				continue;
			const matching = routes.filter((r) => routeMatchesPath(r, p.path));
			if (matching.length === 0)
				return [
					{
						at: ['spec', 'port'],
						message: `Once routes attach to Server ${doc.name}, kubelet probes to ${p.path} are no longer authorized automatically, and no route here matches that path: the probes fail.`,
					},
				];
			if (!admitsUnauthenticated(doc, matching, paste))
				return [
					{
						at: ['spec', 'port'],
						message: `Once routes attach to Server ${doc.name}, kubelet probes to ${p.path} need an authorization for unauthenticated clients, and nothing here gives one: the probes get 403 and fail.`,
					},
				];
		}
		return [];
	},
};

/** Whether the Server or one of these routes lets the kubelet's plain, unauthenticated requests in. */
function admitsUnauthenticated(server: Doc, routes: Doc[], paste: Paste): boolean {
	const access = str(get(server.obj, 'spec.accessPolicy'));
	// cluster-unauthenticated admits the node addresses probes come from when they lie in the
	// cluster networks (the default private ranges): counted as admitting, to stay quiet.
	if (['all-unauthenticated', 'cluster-unauthenticated', 'audit'].includes(access)) return true;
	const ns = sameNamespace(server, paste);
	const networkAuthns = new Set(
		ns.filter((d) => is(d, POLICY, 'NetworkAuthentication')).map((d) => d.name)
	);
	const routeNames = new Set(routes.map((r) => r.name));
	return ns.some((d) => {
		if (is(d, POLICY, 'ServerAuthorization')) {
			const s = map(get(d.obj, 'spec.server'));
			const forServer =
				str(s['name']) === server.name ||
				(isObject(s['selector']) && selects(s['selector'], labels(server)));
			return forServer && get(d.obj, 'spec.client.unauthenticated') === true;
		}
		if (!is(d, POLICY, 'AuthorizationPolicy')) return false;
		const t = map(get(d.obj, 'spec.targetRef'));
		const kind = str(t['kind']);
		const targets =
			kind === 'Namespace' ||
			(kind === 'Server' && str(t['name']) === server.name) ||
			(['HTTPRoute', 'GRPCRoute'].includes(kind) && routeNames.has(str(t['name'])));
		// A policy that requires only network authentications admits unauthenticated clients.
		const refs = list(get(d.obj, 'spec.requiredAuthenticationRefs')).map(map);
		return (
			targets &&
			refs.length > 0 &&
			refs.every(
				(r) => str(r['kind']) === 'NetworkAuthentication' && networkAuthns.has(str(r['name']))
			)
		);
	});
}

function containerPorts(doc: Doc): Record<string, unknown>[] {
	return list(podSpec(doc)?.spec['containers']).flatMap((c) => list(map(c)['ports']).map(map));
}
const portNumber = (doc: Doc, port: unknown) =>
	typeof port === 'string'
		? containerPorts(doc).find((p) => p['name'] === port)?.['containerPort']
		: port;
const portName = (doc: Doc, port: unknown) =>
	typeof port === 'number'
		? containerPorts(doc).find((p) => p['containerPort'] === port)?.['name']
		: port;

/** appProtocol values Linkerd reads as a protocol; any other makes the port opaque. */
const KNOWN_APP_PROTOCOLS = new Set([
	'http',
	'kubernetes.io/h2c',
	'linkerd.io/opaque',
	'linkerd.io/tcp',
]);

const appProtocolOpaque: Rule = {
	id: 'linkerd-appprotocol-opaque',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'An appProtocol value Linkerd treats as opaque TCP',
	see: '/concepts/protocol-detection/#linkerd',
	facts: ['linkerd-appprotocol-values', 'linkerd-appprotocol-other-is-opaque'],
	check(doc, paste) {
		if (!isCore(doc, 'Service') || !pasteUsesLinkerd(paste)) return [];
		return list(get(doc.obj, 'spec.ports')).flatMap((port, i): Hit[] => {
			const app = str(map(port)['appProtocol']);
			// Linkerd lower-cases the value before comparing it.
			if (!app || KNOWN_APP_PROTOCOLS.has(app.toLowerCase())) return [];
			return [
				{
					at: ['spec', 'ports', i, 'appProtocol'],
					message: `Linkerd treats \`appProtocol: ${app}\` as opaque TCP: no HTTP routes, retries, per-request balancing or per-route metrics on this port${/grpc|http2|h2/.test(app) ? '; use kubernetes.io/h2c for HTTP/2 and gRPC' : ''}.`,
				},
			];
		});
	},
};

/** Where a document or its pod template sets `linkerd.io/inject`, as label or annotation. */
function injectSites(
	doc: Doc
): { at: string[]; labels: Record<string, unknown>; annotations: Record<string, unknown> }[] {
	const out = [{ at: ['metadata'], labels: labels(doc), annotations: annotations(doc) }];
	const pod = podSpec(doc);
	if (pod && !isCore(doc, 'Pod'))
		out.push({
			at: ['spec', 'template', 'metadata'],
			labels: map(pod.meta['labels']),
			annotations: map(pod.meta['annotations']),
		});
	return out;
}

const injectAsLabel: Rule = {
	id: 'linkerd-inject-as-label',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'linkerd.io/inject written as a label',
	see: '/linkerd/enable/#annotate',
	facts: ['linkerd-inject-annotation'],
	check(doc) {
		return injectSites(doc).flatMap((s): Hit[] =>
			'linkerd.io/inject' in s.labels && !('linkerd.io/inject' in s.annotations)
				? [
						{
							at: [...s.at, 'labels', 'linkerd.io/inject'],
							message:
								'Linkerd reads `linkerd.io/inject` only as an annotation, so this label injects no proxy.',
						},
					]
				: []
		);
	},
};

const injectValue: Rule = {
	id: 'linkerd-inject-invalid-value',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'linkerd.io/inject with a value other than enabled, ingress or disabled',
	see: '/faq/linkerd-injection-skipped/',
	facts: ['linkerd-inject-annotation'],
	check(doc) {
		return injectSites(doc).flatMap((s): Hit[] => {
			const v = s.annotations['linkerd.io/inject'];
			if (v === undefined || ['enabled', 'ingress', 'disabled'].includes(String(v))) return [];
			return [
				{
					at: [...s.at, 'annotations', 'linkerd.io/inject'],
					message: `The injector skips pods whose \`linkerd.io/inject\` is "${String(v)}": only enabled, ingress and disabled are valid.`,
				},
			];
		});
	},
};

const SKIPPED = new Set(['kube-system', 'cert-manager']);

const injectSkippedNamespace: Rule = {
	id: 'linkerd-inject-skipped-namespace',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'Injection asked for in a namespace the injector ignores',
	see: '/faq/linkerd-injection-skipped/',
	facts: ['linkerd-injector-skipped-namespaces'],
	check(doc) {
		if (!isCore(doc, 'Namespace')) return [];
		if (!['enabled', 'ingress'].includes(str(annotations(doc)['linkerd.io/inject']))) return [];
		const off = labels(doc)['config.linkerd.io/admission-webhooks'] === 'disabled';
		if (!SKIPPED.has(doc.name) && !off) return [];
		return [
			{
				at: ['metadata', 'annotations', 'linkerd.io/inject'],
				message: off
					? 'The label `config.linkerd.io/admission-webhooks: disabled` makes the injector ignore this namespace, so its pods get no proxy.'
					: `The injector's webhook never sees pods in ${doc.name}, so they get no proxy.`,
			},
		];
	},
};

const headlessTimeouts: Rule = {
	id: 'linkerd-headless-retries-timeouts',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'Retry or timeout annotations on a headless Service',
	see: '/faq/linkerd-statefulset-pod-ip/',
	facts: ['linkerd-retries-timeouts-not-headless'],
	check(doc) {
		if (!isCore(doc, 'Service') || get(doc.obj, 'spec.clusterIP') !== 'None') return [];
		const key = Object.keys(annotations(doc)).find((k) =>
			/^(retry|timeout)\.linkerd\.io\//.test(k)
		);
		if (!key) return [];
		return [
			{
				at: ['metadata', 'annotations', key],
				message:
					'Clients of a headless Service dial pod IPs, which the proxy cannot tie to this Service, so Linkerd applies none of its retries or timeouts.',
			},
		];
	},
};

const nginxServiceUpstream: Rule = {
	id: 'linkerd-ingress-nginx-service-upstream',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'An ingress-nginx Ingress without service-upstream in a Linkerd mesh',
	see: '/faq/linkerd-ingress-service-upstream/',
	facts: ['linkerd-nginx-service-upstream'],
	check(doc, paste) {
		if (doc.kind !== 'Ingress' || !doc.apiVersion.startsWith('networking.k8s.io/')) return [];
		const cls =
			str(get(doc.obj, 'spec.ingressClassName')) ||
			str(annotations(doc)['kubernetes.io/ingress.class']);
		if (cls !== 'nginx' || !pasteUsesLinkerd(paste)) return [];
		if (String(annotations(doc)['nginx.ingress.kubernetes.io/service-upstream']) === 'true')
			return [];
		return [
			{
				at: ['metadata', 'name'],
				message:
					'Without `nginx.ingress.kubernetes.io/service-upstream: "true"` ingress-nginx sends to pod IPs, so Linkerd applies no Service routes, retries or timeouts to this traffic.',
			},
		];
	},
};

/** Each filter of a route's rules and backendRefs, with its path and, on a backendRef, which one. */
function routeFilters(
	doc: Doc
): { at: Segment[]; filter: Record<string, unknown>; backend?: string }[] {
	return list(get(doc.obj, 'spec.rules')).flatMap((rule, r) => [
		...list(map(rule)['filters']).map((f, i) => ({
			at: ['spec', 'rules', r, 'filters', i] as Segment[],
			filter: map(f),
		})),
		...list(map(rule)['backendRefs']).flatMap((b, j) =>
			list(map(b)['filters']).map((f, i) => ({
				at: ['spec', 'rules', r, 'backendRefs', j, 'filters', i] as Segment[],
				filter: map(f),
				backend: `${r}/${j}`,
			}))
		),
	]);
}

/** A Gateway API route that Linkerd reads: one on a Service or a Linkerd Server, in a Linkerd paste. */
function linkerdGatewayRoute(doc: Doc, paste: Paste): boolean {
	if (
		!['HTTPRoute', 'GRPCRoute'].includes(doc.kind) ||
		!doc.apiVersion.startsWith('gateway.networking.k8s.io/')
	)
		return false;
	const parents = list(get(doc.obj, 'spec.parentRefs')).map(map);
	if (parents.some((p) => str(p['kind']) === 'Server' && str(p['group']) === POLICY)) return true;
	return linkerdServiceRoute(doc, paste);
}

/** A route on a Service in a Linkerd paste: the outbound side, the only one that reads backendRefs. */
function linkerdServiceRoute(doc: Doc, paste: Paste): boolean {
	const parents = list(get(doc.obj, 'spec.parentRefs')).map(map);
	return parents.some((p) => str(p['kind']) === 'Service') && pasteUsesLinkerd(paste);
}

const UNSUPPORTED_FILTERS: Record<string, string> = {
	RequestMirror: 'requestMirror',
	URLRewrite: 'urlRewrite',
	ExtensionRef: 'extensionRef',
};

/** The unsupported filter type a filter entry names (by `type` or by its field), or ''. */
function unsupportedType(filter: Record<string, unknown>): string {
	return (
		Object.entries(UNSUPPORTED_FILTERS).find(
			([t, k]) => filter['type'] === t || k in filter
		)?.[0] ?? ''
	);
}

const unsupportedFilter: Rule = {
	id: 'linkerd-unsupported-route-filter',
	severity: 'warning',
	meshes: LINKERD,
	releases: RELEASES,
	title: 'A RequestMirror, URLRewrite or ExtensionRef filter on a route Linkerd reads',
	see: '/network/gateway-api-versions/#choose',
	facts: [
		'linkerd-route-filters-unsupported',
		'linkerd-backend-filters-unsupported',
		'linkerd-route-status-ignores-filters',
	],
	check(doc, paste) {
		if (!linkerdGatewayRoute(doc, paste)) return [];
		const hits = routeFilters(doc).filter(({ filter }) => unsupportedType(filter) !== '');
		// In a rule's filters the whole route is skipped: one finding says it all.
		const onRule = hits.find((h) => h.backend === undefined);
		if (onRule)
			return [
				{
					at: [...onRule.at, 'type'],
					message: `Linkerd's policy controller does not support the ${unsupportedType(onRule.filter)} filter in a rule: it skips the whole route, so a new route never applies, and an edit keeps the earlier version only until the policy controller restarts (each replica on its own). The route's status still says Accepted: True.`,
				},
			];
		// On a backendRef only that backend fails, and only the outbound side (a Service parent) reads it.
		if (!linkerdServiceRoute(doc, paste)) return [];
		const fails = doc.kind === 'HTTPRoute' ? 'fails with HTTP 500' : 'fails';
		const seen = new Set<string>();
		return hits
			.filter((h) => h.backend !== undefined && !seen.has(h.backend) && seen.add(h.backend))
			.map((h) => ({
				at: [...h.at, 'type'],
				message: `Linkerd's policy controller does not support the ${unsupportedType(h.filter)} filter on a backendRef: it marks this backend invalid, so every request sent to it ${fails}, while the rest of the route applies. The route's status still says Accepted: True.`,
			}));
	},
};

const newerGatewayApiField: Rule = {
	id: 'linkerd-gateway-api-newer-field',
	severity: 'warning',
	meshes: LINKERD,
	releases: ['linkerd 2.20'],
	title: 'A CORS filter, which Gateway API v1.2.1 (read by Linkerd 2.20) lacks',
	see: '/network/gateway-api-versions/#ranges',
	facts: ['linkerd-gateway-api-ignores-unknown-fields', 'linkerd-2-20-reads-gateway-api-v1-2-1'],
	check(doc, paste) {
		if (!linkerdGatewayRoute(doc, paste)) return [];
		const hit = routeFilters(doc).find(
			({ filter }) => filter['type'] === 'CORS' || 'cors' in filter
		);
		if (!hit) return [];
		return [
			{
				at: [...hit.at, 'type'],
				message:
					'Linkerd 2.20 reads routes with the Gateway API v1.2.1 types, which have no CORS filter, so it cannot convert this route and ignores all of it.',
			},
		];
	},
};

export const linkerdRules: Rule[] = [
	unsupportedFilter,
	newerGatewayApiField,
	serverNoAuthorization,
	rateLimitServerDenies,
	probesWithRoutes,
	appProtocolOpaque,
	injectAsLabel,
	injectValue,
	injectSkippedNamespace,
	headlessTimeouts,
	nginxServiceUpstream,
];
