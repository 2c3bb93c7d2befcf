import type { Hit, Rule } from '../types.ts';
import { get, is, list, map } from './context.ts';

const GW = 'gateway.networking.k8s.io';

const serviceParentGroup: Rule = {
	id: 'gateway-api-service-parentref-group',
	severity: 'warning',
	meshes: ['gateway-api', 'istio', 'linkerd'],
	releases: ['gateway-api v1.6.1', 'istio 1.30', 'istio 1.31', 'linkerd 2.20'],
	title: 'A Service parentRef without group: ""',
	see: '/istio/traffic/#httproute-canary',
	facts: ['gateway-api-parentref-group-default'],
	check(doc) {
		if (!doc.apiVersion.startsWith(`${GW}/`) || !/Route$/.test(doc.kind)) return [];
		return list(get(doc.obj, 'spec.parentRefs')).flatMap((ref, i): Hit[] => {
			const r = map(ref);
			if (r['kind'] !== 'Service' || 'group' in r) return [];
			return [
				{
					at: ['spec', 'parentRefs', i, 'kind'],
					message:
						'Without `group: ""` the parent means a Service in gateway.networking.k8s.io, which does not exist, so the route attaches to nothing.',
				},
			];
		});
	},
};

const backendRequestWithoutRetry: Rule = {
	id: 'istio-httproute-backendrequest-without-retry',
	severity: 'warning',
	meshes: ['istio'],
	releases: ['istio 1.30', 'istio 1.31'],
	title: 'timeouts.backendRequest without retry on an HTTPRoute (Istio)',
	see: '/istio/traffic/#timeouts-retries',
	facts: ['istio-httproute-backendrequest-needs-retry'],
	check(doc) {
		if (!is(doc, GW, 'HTTPRoute')) return [];
		return list(get(doc.obj, 'spec.rules')).flatMap((rule, i): Hit[] => {
			const r = map(rule);
			const timeouts = map(r['timeouts']);
			if (!('backendRequest' in timeouts) || 'retry' in r) return [];
			return [
				{
					at: ['spec', 'rules', i, 'timeouts', 'backendRequest'],
					message:
						'Under Istio, `backendRequest` without `retry` in the same rule becomes the whole route timeout' +
						('request' in timeouts ? ', and `request` is dropped.' : ', not a per-try timeout.'),
				},
			];
		});
	},
};

const experimentalRouteVersion: Rule = {
	id: 'gateway-api-route-experimental-version',
	severity: 'warning',
	meshes: ['gateway-api'],
	releases: ['gateway-api v1.5.1', 'gateway-api v1.6.1'],
	title: 'A TLSRoute in v1alpha2',
	see: '/faq/linkerd-egress-tlsroute-channel/',
	facts: ['gateway-api-v1-5-1-standard-has-tlsroute'],
	check(doc) {
		// Only TLSRoute: the v1.5 standard channel has no TCPRoute or UDPRoute at all, and Istio
		// 1.30 reads those two only as v1alpha2, so for them v1alpha2 is often the right version.
		if (doc.kind !== 'TLSRoute' || doc.apiVersion !== `${GW}/v1alpha2`) return [];
		// Linkerd watches TLSRoute as v1alpha2, so egress routes need the experimental CRDs anyway.
		const egress = list(get(doc.obj, 'spec.parentRefs')).some(
			(p) => map(p)['kind'] === 'EgressNetwork'
		);
		if (egress) return [];
		return [
			{
				at: ['apiVersion'],
				message: `The standard-channel CRDs of Gateway API v1.5 and v1.6 serve TLSRoute only as ${GW}/v1, so kubectl fails on v1alpha2 unless the experimental-channel CRDs are installed; use v1.`,
			},
		];
	},
};

export const gatewayApiRules: Rule[] = [
	serviceParentGroup,
	backendRequestWithoutRetry,
	experimentalRouteVersion,
];
