import { describe, expect, it } from 'vitest';
import { findKnownErrors, knownErrors } from './known-errors.ts';

describe('the known-error rules', () => {
	it('catch each known wrong statement, with its line', () => {
		const wrong = [
			'intro',
			'apiVersion: policy.linkerd.io/v1beta3\nkind: ServerAuthorization',
			'You prefer Rust-based infrastructure over JVM/Go/C++.',
			'Ambient became stable in Istio 1.24 (September 2024).',
			'Introduced as experimental in Istio 1.15.',
			'Multi-cluster: Yes (ServiceEntry)',
			'The default is deny for all traffic.',
			'curl -sSfL https://run.linkerd.io/install | sh',
			'Sidecar mode (legacy): each pod gets a proxy.',
			"Google's managed Anthos Service Mesh.",
			'linkerd viz install sets up Prometheus and Grafana.',
			'Add to istiod configmap: accessLogFile: /dev/stdout',
		].join('\n');
		expect(findKnownErrors(wrong).map((e) => `${e.id}@${e.line}`)).toEqual([
			'serverauthorization-v1beta3@2',
			'istio-jvm@4',
			'ambient-ga-september-2024@5',
			'ambient-experimental-1-15@6',
			'multicluster-serviceentry@7',
			'default-deny@8',
			'deprecated-linkerd-install-script@9',
			'sidecar-legacy@10',
			'anthos-service-mesh@11',
			'viz-installs-grafana@12',
			'accesslogfile-istiod-configmap@13',
		]);
	});

	it.each(knownErrors.filter((r) => r.wrong !== undefined).map((r) => [r.id, r] as const))(
		'%s catches the wrong text the site once printed, and passes its correction',
		(id, rule) => {
			expect(findKnownErrors(rule.wrong ?? '').map((e) => e.id)).toContain(id);
			if (rule.right !== undefined)
				expect(findKnownErrors(rule.right).map((e) => e.id)).not.toContain(id);
		}
	);

	it('accept the corrected statements', () => {
		const right = [
			'apiVersion: policy.linkerd.io/v1beta1\nkind: ServerAuthorization',
			'There is no JVM anywhere in Istio.',
			'Cloud Service Mesh (formerly Anthos Service Mesh).',
			'curl --proto https -sSfL https://run.linkerd.io/install-edge | sh',
		].join('\n');
		expect(findKnownErrors(right)).toEqual([]);
	});
});
