import type { factSubjects, factTopics } from '../schemas/fact.ts';

/** Headings of the facts page, per topic. */
export const factTopicLabels: Record<(typeof factTopics)[number], string> = {
	install: 'Installing',
	injection: 'Injection and enrolment',
	identity: 'Identity and certificates',
	traffic: 'Traffic management',
	policy: 'Authorization policy',
	egress: 'Egress',
	'gateway-api': 'Gateway API',
	multicluster: 'Multi-cluster',
	upgrades: 'Upgrades',
	observability: 'Observability',
	resources: 'Resources and sizing',
	lifecycle: 'Releases and support',
	networking: 'Networking and ports',
	errors: 'Error messages',
};

/** Display names of whom a fact is about. */
export const factSubjectNames: Record<(typeof factSubjects)[number], string> = {
	istio: 'Istio',
	linkerd: 'Linkerd',
	'gateway-api': 'Gateway API',
	kubernetes: 'Kubernetes',
	envoy: 'Envoy',
	go: 'Go',
	curl: 'curl',
	helm: 'Helm',
};

/** "istio 1.31" → "Istio 1.31", "linkerd version-2.20" → "Linkerd version-2.20", joined. */
export function holdsText(holds: readonly string[]): string {
	const names: Record<string, string> = factSubjectNames;
	return holds
		.map((h) => {
			const [project = '', ...rest] = h.split(' ');
			return [names[project] ?? project, ...rest].join(' ');
		})
		.join(', ');
}
