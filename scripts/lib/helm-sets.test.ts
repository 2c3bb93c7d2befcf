import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../src/lib/dist-files.ts';
import { readFrontmatter } from '../../src/lib/frontmatter.ts';
import { chartRelease, checkHelmSet, extractHelmSets } from './helm-sets.ts';

const sources = [
	...listFiles('content/docs').map((f) => `content/docs/${f}`),
	...listFiles('content/faq').map((f) => `content/faq/${f}`),
].filter((f) => f.endsWith('.mdx'));

function verifiedIstio(source: string): string {
	const fm = readFrontmatter(source) as { verified?: { istio?: string } };
	return fm.verified?.istio ?? '1.31';
}

describe('Helm --set keys on the site', () => {
	const all = sources.flatMap((file) => {
		const source = readFileSync(file, 'utf8');
		return extractHelmSets(file, source).map((set) => ({ set, istio: verifiedIstio(source) }));
	});

	it('finds the Helm commands to check', () => {
		expect(all.length).toBeGreaterThan(10);
		expect(all.map((a) => a.set.key)).toContain('revision');
		expect(all.map((a) => a.set.key)).toContain('proxy.tracing.collector.endpoint');
	});

	it('uses only keys that exist in the chart values of the version each page names', () => {
		const problems = all.flatMap(({ set, istio }) =>
			checkHelmSet(set, chartRelease(set, istio)).map(
				(p) => `${p} [read vendor/upstream/charts/${chartRelease(set, istio)}]`
			)
		);
		expect(problems).toEqual([]);
	});

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
