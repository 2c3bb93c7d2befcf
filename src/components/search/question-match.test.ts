import { describe, expect, it } from 'vitest';
import { makeLexicon } from './correct.ts';
import { questionMatch, queryStems, stem } from './question-match.ts';

const lex = makeLexicon({
	words: ['linkerd', 'istio', 'probes', 'health', 'checks', '403', 'rotation', 'trust', 'anchor'],
	df: [60, 60, 4, 6, 6, 5, 3, 8, 8],
	pages: 100,
	titles: {
		'/faq/linkerd-probes-httproute/': 'Why do Linkerd probes fail once an HTTPRoute is added?',
		'/faq/linkerd-authz-403/': 'Why does Linkerd answer 403 with "unauthorized request on route"?',
		'/faq/trust-anchor-rotation/': 'How do I rotate the Linkerd trust anchor?',
		'/linkerd/install/': 'Install Linkerd',
	},
	errors: [
		{
			text: 'health checks fail with 403 after a default-deny policy',
			url: '/faq/linkerd-probes-httproute/',
		},
		{ text: 'HTTP/1.1 403 Forbidden', url: '/faq/linkerd-authz-403/' },
	],
});

describe('matching a query against the ways pages are asked', () => {
	it('meets word forms: rotation, rotate and rotated; expires and expired', () => {
		expect(stem('rotation')).toBe(stem('rotate'));
		expect(stem('rotated')).toBe(stem('rotate'));
		expect(stem('expires')).toBe(stem('expired'));
		expect(stem('probes')).toBe(stem('probe'));
		// Short words and identifiers stay as they are.
		expect(stem('tls')).toBe('tls');
		expect(stem('v1beta1')).toBe('v1beta1');
	});

	it('ranks the answer asked the reader’s way first (linkerd/linkerd2#7050’s phrasing)', () => {
		const m = questionMatch(lex, ['healthchecks', 'health', 'checks', 'failing', '403', 'linkerd']);
		const best = [...m.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
		expect(best).toBe('/faq/linkerd-probes-httproute/');
	});

	it('finds a question by another form of its words', () => {
		const m = questionMatch(lex, ['trust', 'anchor', 'rotated']);
		expect(m.get('/faq/trust-anchor-rotation/')).toBeGreaterThan(0.8);
		expect(m.size).toBe(1);
	});

	it('prefers the phrasing that is all query: "linkerd install" finds the install guide, not an answer about install --crds', () => {
		const lex2 = makeLexicon({
			words: ['linkerd', 'install', 'crds', 'gateway'],
			df: [60, 30, 10, 20],
			pages: 100,
			titles: { '/linkerd/install/': 'Install Linkerd' },
			errors: [
				{ text: 'linkerd install --crds fails gateway api', url: '/faq/linkerd-gateway-api-crds/' },
			],
		});
		const m = questionMatch(lex2, ['linkerd', 'install']);
		expect(m.get('/linkerd/install/')).toBeGreaterThan(
			m.get('/faq/linkerd-gateway-api-crds/') ?? 0
		);
	});

	// bench/tuning.yaml (istio/istio#23457): "istio-cni-node" is the words a phrasing holds
	// apart; a name with a dot stays one.
	it('reads hyphenated and slashed words as their words, and dotted names whole', () => {
		expect(queryStems('istio-cni-node')).toEqual(['istio', 'cni', 'node']);
		expect(queryStems('namespace/deployment')).toEqual([stem('namespace'), 'deployment']);
		expect(queryStems('linkerd.io/inject')).toEqual(['linkerd.io/inject']);
		const cni = makeLexicon({
			words: ['istio', 'cni', 'node', 'pod', 'stuck', 'linkerd'],
			df: [60, 12, 20, 40, 5, 60],
			pages: 100,
			titles: {
				'/faq/pod-stuck-init/': 'Why is my pod stuck in Init with the Istio CNI node agent?',
				'/faq/linkerd-cni/': 'Does Linkerd need its CNI plugin?',
			},
			errors: [],
		});
		const m = questionMatch(cni, ['istio-cni-node', 'stuck']);
		expect(m.get('/faq/pod-stuck-init/')).toBeGreaterThan(0.5);
		expect(m.get('/faq/linkerd-cni/') ?? 0).toBeLessThan(0.5);
	});

	it('does not match on a word every page is asked with', () => {
		const m = questionMatch(lex, ['linkerd', 'dashboard', 'blank']);
		expect(m.size).toBe(0);
	});
});
