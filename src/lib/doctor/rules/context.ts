import type { Doc, Json, Paste } from '../types.ts';

/** Small readers over documents, and what a paste says about the meshes around it. */

export const isObject = (v: unknown): v is Json =>
	!!v && typeof v === 'object' && !Array.isArray(v);

/** The value at a dotted path (`spec.mtls.mode`), or undefined. */
export function get(obj: unknown, path: string): unknown {
	let v: unknown = obj;
	for (const key of path.split('.')) {
		if (!isObject(v)) return undefined;
		v = v[key];
	}
	return v;
}

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const map = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

export const group = (doc: Doc) =>
	doc.apiVersion.includes('/') ? (doc.apiVersion.split('/')[0] ?? '') : '';
export const is = (doc: Doc, g: string, kind: string) => group(doc) === g && doc.kind === kind;
export const isCore = (doc: Doc, kind: string) => doc.apiVersion === 'v1' && doc.kind === kind;

export const labels = (doc: Doc) => map(get(doc.obj, 'metadata.labels'));
export const annotations = (doc: Doc) => map(get(doc.obj, 'metadata.annotations'));

/** The pod template of a workload kind, or of a Pod itself. */
export function podSpec(doc: Doc): { spec: Json; meta: Json; at: string[] } | undefined {
	if (isCore(doc, 'Pod'))
		return { spec: map(get(doc.obj, 'spec')), meta: map(get(doc.obj, 'metadata')), at: ['spec'] };
	if (
		doc.apiVersion.startsWith('apps/') ||
		(doc.apiVersion.startsWith('batch/') && doc.kind === 'Job')
	) {
		const tpl = get(doc.obj, 'spec.template');
		if (isObject(tpl))
			return {
				spec: map(tpl['spec']),
				meta: map(tpl['metadata']),
				at: ['spec', 'template', 'spec'],
			};
	}
	return undefined;
}

const namespaces = (paste: Paste) => paste.docs.filter((d) => isCore(d, 'Namespace'));

/** Namespaces the paste puts in Istio ambient mode (by label, or by holding a waypoint). */
export function ambientNamespaces(paste: Paste): Set<string> {
	const out = new Set<string>();
	for (const ns of namespaces(paste))
		if (labels(ns)['istio.io/dataplane-mode'] === 'ambient') out.add(ns.name);
	for (const d of paste.docs)
		if (
			is(d, 'gateway.networking.k8s.io', 'Gateway') &&
			get(d.obj, 'spec.gatewayClassName') === 'istio-waypoint'
		)
			out.add(d.namespace || 'default');
	return out;
}

export const inAmbient = (doc: Doc, paste: Paste) =>
	ambientNamespaces(paste).has(doc.namespace || 'default');

const LINKERD =
	/^(linkerd\.io|config\.linkerd\.io|config\.alpha\.linkerd\.io|balancer\.linkerd\.io|retry\.linkerd\.io|timeout\.linkerd\.io)\//;

/** Whether anything in the paste is Linkerd's: its API groups or its annotations. */
export function pasteUsesLinkerd(paste: Paste): boolean {
	return paste.docs.some(
		(d) =>
			group(d).endsWith('linkerd.io') ||
			Object.keys(annotations(d)).some((k) => LINKERD.test(k)) ||
			Object.keys(map(podSpec(d)?.meta['annotations'])).some((k) => LINKERD.test(k)) ||
			list(get(d.obj, 'spec.parentRefs')).some((p) => str(map(p)['kind']) === 'EgressNetwork')
	);
}

/** Namespaces the paste marks for Linkerd injection. */
export function linkerdNamespaces(paste: Paste): Set<string> {
	return new Set(
		namespaces(paste)
			.filter((ns) => ['enabled', 'ingress'].includes(str(annotations(ns)['linkerd.io/inject'])))
			.map((ns) => ns.name)
	);
}

/** Whether `selector.matchLabels` selects a thing with `have` labels (matchExpressions count as a match). */
export function selects(selector: unknown, have: Record<string, unknown>): boolean {
	const s = map(selector);
	const want = map(s['matchLabels']);
	if (list(s['matchExpressions']).length > 0) return true;
	return Object.entries(want).every(([k, v]) => have[k] === v);
}

/** Documents of the paste in the same namespace as `doc`. */
export const sameNamespace = (doc: Doc, paste: Paste) =>
	paste.docs.filter((d) => (d.namespace || 'default') === (doc.namespace || 'default'));
