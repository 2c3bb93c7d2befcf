import { describe, expect, it } from 'vitest';
import { loadComparison } from '../lib/content-files.ts';

describe('comparison data', () => {
	it('loads, and covers every row the guide has always compared', () => {
		const ids = loadComparison().rows.map((r) => r.id);
		for (const id of [
			'mtls',
			'traffic-shifting',
			'circuit-breaking',
			'fault-injection',
			'wasm',
			'sidecarless',
			'multicluster',
			'control-plane',
			'proxy-memory',
			'l7-visibility',
			'grpc',
			'tcp',
			'cncf',
			'retries-timeouts',
			'rate-limiting',
			'egress',
			'gateway-api',
			'native-sidecars',
			'proxy-language',
			'release-model',
			'default-authz',
			'upgrades',
		]) {
			expect(ids).toContain(id);
		}
	});

	it('fails on a missing source or version, naming the row and field', () => {
		expect(() => loadComparison('src/schemas/fixtures/comparison-missing-source.yaml')).toThrow(
			[
				'src/schemas/fixtures/comparison-missing-source.yaml is invalid:',
				'  rows.0.istio.source (row "mtls"): every mesh cell needs a source: an https:// URL',
				'  rows.0.linkerd.version (row "mtls"): every mesh cell needs the version it holds for',
			].join('\n')
		);
	});
});
