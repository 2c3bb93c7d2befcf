import type { Doc, Hit, Paste, Rule } from '../types.ts';
import {
	ambientNamespaces,
	get,
	isObject,
	linkerdNamespaces,
	list,
	map,
	selects,
	str,
} from './context.ts';

const isNetworkPolicy = (d: Doc) =>
	d.kind === 'NetworkPolicy' && d.apiVersion === 'networking.k8s.io/v1';

/** The ingress rules of a NetworkPolicy that list ports, when every rule does (else it opens all ports). */
function portLists(doc: Doc): { ports: unknown[]; i: number }[] | undefined {
	const rules = list(get(doc.obj, 'spec.ingress')).map((r, i) => ({
		ports: list(map(r)['ports']),
		i,
	}));
	if (rules.length === 0 || rules.some((r) => r.ports.length === 0)) return undefined;
	return rules;
}

const opens = (ports: unknown[], port: number, name?: string) =>
	ports.some((p) => {
		const m = map(p);
		const start = m['port'];
		if (typeof start === 'string') return start === name;
		if (typeof start !== 'number') return !('port' in m);
		const end = typeof m['endPort'] === 'number' ? m['endPort'] : start;
		return start <= port && port <= end;
	});

/**
 * Policies add up: a port is open to a pod when any ingress policy selecting it opens the port.
 * Here: the policies of the paste in the namespace whose selector covers every pod `doc` selects.
 */
function siblings(doc: Doc, paste: Paste): Doc[] {
	const have = map(get(doc.obj, 'spec.podSelector.matchLabels'));
	return paste.docs.filter(
		(d) =>
			isNetworkPolicy(d) &&
			(d.namespace || 'default') === (doc.namespace || 'default') &&
			selects(get(d.obj, 'spec.podSelector'), have)
	);
}

/** Whether an ingress rule can admit mesh clients: not only single-host ipBlocks (e.g. the probe address). */
const fromPods = (rule: Record<string, unknown>) => {
	const from = list(rule['from']).map(map);
	return (
		from.length === 0 ||
		from.some((f) => !isObject(f['ipBlock']) || !str(map(f['ipBlock'])['cidr']).endsWith('/32'))
	);
};

function missingPort(doc: Doc, paste: Paste, port: number, name?: string): Hit[] {
	const rules = portLists(doc);
	if (!rules) return [];
	const openedElsewhere = siblings(doc, paste).some((d) =>
		list(get(d.obj, 'spec.ingress')).some((rule) => {
			const r = map(rule);
			const ports = list(r['ports']);
			return fromPods(r) && (ports.length === 0 || opens(ports, port, name));
		})
	);
	if (openedElsewhere) return [];
	return [{ at: ['spec', 'ingress', rules[0]?.i ?? 0, 'ports'], message: '' }];
}

const linkerdInboundPort: Rule = {
	id: 'networkpolicy-blocks-linkerd-inbound-port',
	severity: 'warning',
	meshes: ['linkerd', 'kubernetes'],
	releases: ['linkerd 2.20', 'linkerd edge-26.8.3'],
	title: 'A NetworkPolicy in a Linkerd namespace that leaves out port 4143',
	see: '/faq/networkpolicy-with-mesh/',
	facts: ['linkerd-meshed-traffic-uses-4143'],
	check(doc, paste) {
		if (!isNetworkPolicy(doc) || !linkerdNamespaces(paste).has(doc.namespace || 'default'))
			return [];
		return missingPort(doc, paste, 4143, 'linkerd-proxy').map((h) => ({
			...h,
			message:
				"Meshed clients connect to the proxy's inbound port 4143 (container port `linkerd-proxy`), not to the application port, and no policy in this paste opens it for these pods, so meshed traffic to them is blocked.",
		}));
	},
};

const ambientHbonePort: Rule = {
	id: 'networkpolicy-blocks-ambient-hbone-port',
	severity: 'warning',
	meshes: ['istio', 'kubernetes'],
	releases: ['istio 1.30', 'istio 1.31'],
	title: 'A NetworkPolicy in an ambient namespace that leaves out port 15008',
	see: '/faq/ambient-networkpolicy-ports/',
	facts: ['istio-hbone-port'],
	check(doc, paste) {
		if (!isNetworkPolicy(doc) || !ambientNamespaces(paste).has(doc.namespace || 'default'))
			return [];
		return missingPort(doc, paste, 15008).map((h) => ({
			...h,
			message:
				'Mesh traffic reaches ambient pods over HBONE on port 15008, and no policy in this paste opens it for these pods, so it is blocked.',
		}));
	},
};

function ipv4(addr: string): number | undefined {
	const parts = addr.split('.').map(Number);
	if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
		return undefined;
	return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function cidrHolds(cidr: string, addr: string): boolean {
	const [net, bits] = cidr.split('/');
	const a = ipv4(addr);
	const n = ipv4(net ?? '');
	const b = Number(bits ?? 32);
	if (a === undefined || n === undefined || !(b >= 0 && b <= 32)) return false;
	const size = 2 ** (32 - b);
	return Math.floor(a / size) === Math.floor(n / size);
}

const PROBE_SOURCE = '169.254.7.127';

/** Whether any policy of the namespace lets the ambient probe address in. */
function probeAllowed(ns: string, paste: Paste): boolean {
	return paste.docs.some(
		(d) =>
			isNetworkPolicy(d) &&
			(d.namespace || 'default') === ns &&
			list(get(d.obj, 'spec.ingress')).some((r) => {
				const from = list(map(r)['from']);
				if (from.length === 0) return true;
				return from.some((f) => {
					const block = map(map(f)['ipBlock']);
					return cidrHolds(str(block['cidr']), PROBE_SOURCE);
				});
			})
	);
}

const ambientProbeSource: Rule = {
	id: 'networkpolicy-blocks-ambient-probes',
	severity: 'warning',
	meshes: ['istio', 'kubernetes'],
	releases: ['istio 1.30', 'istio 1.31'],
	title: 'A default-deny NetworkPolicy in an ambient namespace that does not allow probes',
	see: '/faq/ambient-networkpolicy-ports/',
	facts: ['istio-ambient-probe-address'],
	check(doc, paste) {
		if (!isNetworkPolicy(doc)) return [];
		const ns = doc.namespace || 'default';
		if (!ambientNamespaces(paste).has(ns)) return [];
		const types = list(get(doc.obj, 'spec.policyTypes')).map(str);
		const denies =
			types.includes('Ingress') || (types.length === 0 && isObject(get(doc.obj, 'spec')));
		if (!denies || probeAllowed(ns, paste)) return [];
		return [
			{
				at: ['spec', 'policyTypes'],
				message: `In ambient mode kubelet probes arrive from ${PROBE_SOURCE}; no policy in this namespace allows it, so, depending on the CNI, readiness and liveness probes may fail.`,
			},
		];
	},
};

export const kubernetesRules: Rule[] = [linkerdInboundPort, ambientHbonePort, ambientProbeSource];
