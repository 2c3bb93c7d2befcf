import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFacts } from '../../src/lib/facts.ts';
import { collectFactRefs, pagesByFact } from '../../src/lib/fact-refs.ts';
import { calculatorFactRefs } from '../../src/lib/calculator-facts.ts';
import { drift, driftReport, folderReader } from './drift.ts';

// Replays two real upstream changes against the site's own facts and pages: the fixtures hold
// both versions of each file, copied from the mirrors (see fixtures/drift/README.md).
const fixtures = 'scripts/lib/fixtures/drift';
const facts = loadFacts();
const refs = collectFactRefs('content', calculatorFactRefs);
const pages = pagesByFact('content', refs);
const pagesOf = (id: string) => pages.get(id) ?? [];
const read = folderReader(fixtures);

function replay(repo: string, from: string, to: string, paths: string[]) {
	// The old files are the ones the facts were proven against: every quote holds there.
	const before = drift({ facts, repo, from, to: from, read, pagesOf, paths });
	expect(before).toEqual([]);
	return drift({ facts, repo, from, to, read, pagesOf, paths });
}

describe('drift, replaying real upstream changes', () => {
	it('Istio 1.23 to 1.24: the default retry policy drops HTTP 503', () => {
		const found = replay('istio/istio', '1.23.6', '1.24.0', [
			'pilot/pkg/networking/core/route/retry/retry.go',
		]);
		expect(found.map((d) => [d.fact, d.status])).toEqual([
			['istio-1-23-default-retry-503', 'changed'],
		]);
		expect(found[0]?.closest).toContain(
			'policy.RetriableStatusCodes = []uint32{http.StatusServiceUnavailable}'
		);
		expect(found[0]?.pages).toContain('content/docs/reference/defaults.mdx');
		const report = driftReport('istio/istio', '1.23.6', '1.24.0', found);
		expect(report).toContain('istio-1-23-default-retry-503');
		expect(report).toContain('Pages to revisit: content/docs/reference/defaults.mdx');
	});

	it('Linkerd version-2.20 to edge-26.8.2: Gateway API v1.2.1 types and hint become v1.5.1', () => {
		const found = replay('linkerd/linkerd2', 'version-2.20', 'edge-26.8.2', [
			'Cargo.toml',
			'cli/cmd/install.go',
			'pkg/healthcheck/healthcheck.go',
			'policy-controller/k8s/index/src/routes/http.rs',
		]);
		expect(found.map((d) => d.fact).sort()).toEqual([
			'linkerd-2-20-gateway-api-crds-required',
			'linkerd-2-20-gateway-api-install-hint',
			'linkerd-2-20-gateway-api-types',
			'linkerd-2-20-reads-gateway-api-v1-2-1',
			'linkerd-error-gateway-api-crds-required',
			'linkerd-error-gateway-api-missing-v1',
			// The same commit renamed the generated types (HTTPRoute* to HttpRoute*).
			'linkerd-regex-route-matches',
			'linkerd-regex-route-matches',
			'linkerd-regex-route-matches',
		]);
		const pagesNamed = [...new Set(found.flatMap((d) => d.pages))];
		expect(pagesNamed).toContain('content/docs/decide/compare.mdx');
		// Every page named states one of the changed facts, itself or through the comparison data.
		for (const page of pagesNamed) {
			const text = readFileSync(page, 'utf8');
			const states = found.some(
				(d) =>
					text.includes(`"${d.fact}"`) ||
					(text.includes('<ComparisonMatrix') && d.pages.includes(page))
			);
			expect(states, page).toBe(true);
		}
		// The facts for edge-26.8.3 are not read at version-2.20, so they are not re-checked.
		expect(found.some((d) => d.fact.includes('edge-26-8-3'))).toBe(false);
	});

	it('names a file that is gone at the new tag as vanished', () => {
		const found = drift({
			facts,
			repo: 'istio/istio',
			from: '1.23.6',
			to: 'no-such-tag',
			read,
			pagesOf,
		});
		expect(found.map((d) => d.status)).toEqual(['vanished']);
	});
});
