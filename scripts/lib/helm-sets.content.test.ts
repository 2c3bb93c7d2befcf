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
});
