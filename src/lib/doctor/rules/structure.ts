import { schemaFor, schemaGroups, validate, type SchemaProblem } from '../schema.ts';
import type { Doc, Hit, Rule } from '../types.ts';
import { pathText } from '../yaml-lines.ts';
import { group } from './context.ts';

/**
 * Structure: each document against the vendored CRD schemas (Istio 1.31.0-rc.0, Linkerd 2.20,
 * Gateway API v1.6.1 standard channel). kubectl validates strictly by default, so the API server
 * rejects unknown fields of a CRD with a schema.
 */

/**
 * Gateway API kinds whose CRDs are not vendored: their fields are not checked. BackendLBPolicy
 * is gone from v1.6.1 but served (v1alpha2) by the v1.2.1 experimental CRDs that Linkerd 2.20 names.
 */
const unvendored = new Set([
	'TLSRoute',
	'TCPRoute',
	'UDPRoute',
	'BackendTLSPolicy',
	'ListenerSet',
	'BackendLBPolicy',
]);

/** Where a Linkerd policy kind's apiVersion is explained. */
export const LINKERD_SEE: Record<string, string> = {
	ServerAuthorization: '/faq/serverauthorization-apiversion/',
	Server: '/linkerd/security/#server',
	AuthorizationPolicy: '/linkerd/security/#authorizationpolicy',
	MeshTLSAuthentication: '/linkerd/security/#authorizationpolicy',
	NetworkAuthentication: '/linkerd/security/#authorizationpolicy',
	HTTPLocalRateLimitPolicy: '/linkerd/traffic/#rate-limiting',
	EgressNetwork: '/linkerd/traffic/#egress',
};

/** Fields only the Gateway API experimental channel has (v1.6.1, compared with standard). */
const experimental = new Set([
	'retry',
	'sessionPersistence',
	'externalAuth',
	'useDefaultGateways',
	'defaultScope',
]);

const cache = new WeakMap<Doc, SchemaProblem[]>();

function problems(doc: Doc): SchemaProblem[] {
	let found = cache.get(doc);
	if (found) return found;
	found = [];
	const g = group(doc);
	if (doc.obj && schemaGroups.has(g)) {
		const { entry } = schemaFor(g, doc.apiVersion.split('/')[1] ?? '', doc.kind);
		if (entry) found = validate(entry, doc.obj);
	}
	cache.set(doc, found);
	return found;
}

const sourceOf = (doc: Doc) =>
	schemaFor(group(doc), doc.apiVersion.split('/')[1] ?? '', doc.kind).entry?.source ?? '';

const isExperimental = (doc: Doc, p: SchemaProblem) =>
	group(doc) === 'gateway.networking.k8s.io' && p.key !== undefined && experimental.has(p.key);

export const missingTypeRule: Rule = {
	id: 'missing-api-version-kind',
	severity: 'error',
	meshes: ['kubernetes'],
	releases: ['any'],
	title: 'A document has no apiVersion or kind',
	see: '/doctor/',
	check(doc) {
		if (!doc.obj) return [];
		if (doc.apiVersion && doc.kind) return [];
		return [
			{
				message: `The document has no ${doc.apiVersion ? '`kind`' : '`apiVersion`'}, so kubectl refuses it.`,
			},
		];
	},
};

export const notServedRule: Rule = {
	id: 'api-version-not-served',
	severity: 'error',
	meshes: ['istio', 'linkerd', 'gateway-api'],
	releases: ['istio 1.30', 'istio 1.31', 'linkerd 2.20', 'gateway-api v1.6.1'],
	title: 'The apiVersion does not serve this kind',
	see: '/faq/gateway-api-kind-unknown/',
	facts: ['kubernetes-no-kind-match-quotes'],
	check(doc): Hit[] {
		const g = group(doc);
		if (!doc.kind || !schemaGroups.has(g)) return [];
		if (g === 'gateway.networking.k8s.io' && unvendored.has(doc.kind)) return [];
		const { entry, served, known } = schemaFor(g, doc.apiVersion.split('/')[1] ?? '', doc.kind);
		if (entry) return [];
		const see = g === 'policy.linkerd.io' ? LINKERD_SEE[doc.kind] : undefined;
		return [
			{
				at: ['apiVersion'],
				message: known
					? `${doc.apiVersion} does not serve ${doc.kind}, so kubectl fails with "no matches for kind"; use ${served.map((v) => `${g}/${v}`).join(' or ')}.`
					: `The ${g} API has no kind ${doc.kind}, so kubectl fails with "no matches for kind".`,
				...(see ? { see } : {}),
			},
		];
	},
};

export const unknownFieldRule: Rule = {
	id: 'schema-unknown-field',
	severity: 'error',
	meshes: ['istio', 'linkerd', 'gateway-api'],
	releases: ['istio 1.30', 'istio 1.31', 'linkerd 2.20', 'gateway-api v1.6.1'],
	title: 'A field the CRD schema does not have (often a misspelling)',
	see: '/doctor/',
	check(doc) {
		return problems(doc)
			.filter((p) => p.kind === 'unknown-field' && !isExperimental(doc, p))
			.map((p) => ({
				at: p.at,
				key: p.key,
				message: `${doc.kind} has no field \`${p.key}\` here (${sourceOf(doc)}): kubectl rejects it, and with validation off the API server drops it silently.`,
			}));
	},
};

export const invalidValueRule: Rule = {
	id: 'schema-invalid-value',
	severity: 'error',
	meshes: ['istio', 'linkerd', 'gateway-api'],
	releases: ['istio 1.30', 'istio 1.31', 'linkerd 2.20', 'gateway-api v1.6.1'],
	title: 'A value of the wrong type, outside its enum, or a missing required field',
	see: '/doctor/',
	check(doc) {
		return problems(doc)
			.filter((p) => p.kind === 'invalid')
			.map((p) => {
				const where = p.at.length ? `\`${pathText(p.at)}\`` : doc.kind;
				return {
					at: p.at,
					message: `${where} ${p.message} (${sourceOf(doc)}), so the API server rejects the ${doc.kind}.`,
				};
			});
	},
};

export const experimentalFieldRule: Rule = {
	id: 'gateway-api-experimental-field',
	severity: 'warning',
	meshes: ['gateway-api'],
	releases: ['gateway-api v1.6.1'],
	title: 'A Gateway API field only the experimental channel has',
	see: '/network/gateway-api-versions/#choose',
	facts: ['gateway-api-httproute-retry-experimental'],
	check(doc) {
		return problems(doc)
			.filter((p) => isExperimental(doc, p))
			.map((p) => ({
				at: p.at,
				key: p.key,
				message: `\`${p.key}\` exists only in the experimental-channel CRDs: with the standard-channel CRDs installed, kubectl rejects it or the API server drops it.`,
			}));
	},
};

export const structureRules: Rule[] = [
	missingTypeRule,
	notServedRule,
	unknownFieldRule,
	invalidValueRule,
	experimentalFieldRule,
];
