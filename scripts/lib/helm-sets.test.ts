import { describe, expect, it } from 'vitest';
import { chartRelease, checkHelmSet, extractHelmSets } from './helm-sets.ts';

describe('the Helm --set key check', () => {
	it('names the file, the line, the chart and the release it read for an unknown key', () => {
		const source = [
			'# Page',
			'',
			'```bash',
			'helm upgrade ztunnel istio/ztunnel -n istio-system --version 1.30.3 \\',
			'  --set revison=1-30-3 --wait',
			'```',
		].join('\n');
		const [set] = extractHelmSets('page.mdx', source);
		expect(set).toBeDefined();
		if (!set) return;
		expect(chartRelease(set, '1.31')).toBe('istio-1.30.3');
		expect(checkHelmSet(set, chartRelease(set, '1.31'))).toEqual([
			'page.mdx:5: --set revison: no such key in istio/ztunnel values.yaml (istio-1.30.3)',
		]);
	});

	it('accepts keys below free-form maps and profile keys, and reads Linkerd partials', () => {
		const source = [
			'```bash',
			"helm upgrade istiod istio/istiod --set 'meshConfig.extensionProviders[0].name=otel' --set profile=ambient",
			'helm upgrade linkerd-control-plane linkerd-edge/linkerd-control-plane --set proxy.tracing.enabled=true',
			'```',
		].join('\n');
		const sets = extractHelmSets('p.mdx', source);
		expect(sets.map((s) => s.key)).toEqual([
			'meshConfig.extensionProviders[0].name',
			'profile',
			'proxy.tracing.enabled',
		]);
		expect(sets.flatMap((s) => checkHelmSet(s, chartRelease(s, '1.31')))).toEqual([]);
	});
});
