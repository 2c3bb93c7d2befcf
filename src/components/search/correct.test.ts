import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	analyse,
	correctable,
	distance,
	frontCode,
	frontDecode,
	kinWord,
	known,
	looksPasted,
	makeLexicon,
	matchErrors,
	suggestions,
} from './correct.ts';
import { keepList, meshWords, shortNames, synonymGroups, tokenize } from './vocabulary.ts';
import { questionMatch } from './question-match.ts';

const words = [
	['istio', 60],
	['linkerd', 58],
	['install', 30],
	['waypoint', 20],
	['waypoints', 8],
	['canary', 9],
	['release', 12],
	['releases', 10],
	['orchestration', 1],
	['peerauthentication', 6],
	['httproute', 14],
	['ztunnel', 25],
	['hpa', 2],
	['tunnel', 4],
	['stuck', 3],
	['choosing', 2],
	['sticks', 2],
	['unauthenticated', 2],
	['connection', 40],
	['upstream', 9],
	['headers', 8],
	['disconnect', 3],
	['termination', 2],
	['rbac', 4],
	['access', 30],
	['denied', 6],
	['refused', 5],
	['healthy', 4],
] as const;
const lex = makeLexicon({
	words: words.map(([w]) => w),
	df: words.map(([, n]) => n),
	pages: 160,
	dictionary: ['sticky', 'closing', 'unauthorized', 'xylophone', 'orchestra', 'stack'],
	errors: [
		{
			text: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
			url: '/faq/envoy-upstream-connect-error/',
		},
		{ text: 'RBAC: access denied', url: '/faq/rbac-access-denied/' },
		{ text: 'connection refused', url: '/faq/crashloop-after-enrol/' },
		{ text: 'no healthy upstream', url: '/faq/no-healthy-upstream/' },
	],
});

describe('edit distance', () => {
	it('counts a swap of neighbours as one edit, and a neighbouring key as less than one', () => {
		expect(distance('linkred', 'linkerd')).toBe(1);
		expect(distance('waypont', 'waypoint')).toBe(1);
		expect(distance('canaru', 'canary')).toBeLessThan(1);
		expect(distance('canery', 'canary')).toBe(1);
		expect(distance('canxry', 'canary')).toBe(1);
		expect(distance('istio', 'istio')).toBe(0);
	});

	it('gives up early past the allowed distance', () => {
		expect(distance('xylophone', 'linkerd', 2)).toBe(Infinity);
	});
});

describe('a form of a site word', () => {
	// istio/istio#19519 (bench/tuning.yaml): "Disconnect and retray provokes duplication of
	// message". The site says "duplicate"; "duplication" is two slips too far to be corrected and
	// not a word the dictionary ships, so it was dropped, and with it what the report is about.
	const forms = makeLexicon({
		words: ['duplicate', 'duplicated', 'retry', 'established'],
		df: [3, 1, 23, 1],
		pages: 150,
		errors: [],
		dictionary: ['establish'],
	});

	it('is searched as the site’s commonest word of the same stem', () => {
		expect(kinWord(forms, 'duplication')).toBe('duplicate');
		expect(kinWord(forms, 'retray')).toBeUndefined();
		expect(analyse(forms, ['disconnect', 'retray', 'duplication'])).toMatchObject({
			query: 'retry duplication',
			unknown: ['disconnect'],
		});
	});

	it('leaves a word the dictionary knows to the dictionary: real, and not on the site', () => {
		// Not last: a last word may still be being typed, and "establish" starts "established".
		expect(analyse(forms, ['establish', 'retry'])).toMatchObject({
			absent: ['establish'],
			unknown: [],
		});
	});
});

describe('typo correction', () => {
	it('corrects misspelt site words to the nearest, most common word', () => {
		expect(analyse(lex, ['linkred', 'install'])).toMatchObject({
			query: 'linkerd install',
			corrections: [{ from: 'linkred', to: 'linkerd' }],
			empty: false,
		});
		expect(analyse(lex, ['waypont']).query).toBe('waypoint');
		expect(analyse(lex, ['canery', 'release']).query).toBe('canary release');
		expect(analyse(lex, ['peerauthentcation']).query).toBe('peerauthentication');
	});

	it('never corrects short API names, flags, versions or dotted names', () => {
		for (const t of ['hpa', 'l7', '--set', '1.31', 'v1beta1', 'k8s', 'gateway.networking.k8s.io'])
			expect(correctable(t), t).toBe(false);
		expect(analyse(lex, ['hpx', '1.31', 'v1beta3']).corrections).toEqual([]);
	});

	it('leaves known words, plurals and a word still being typed alone', () => {
		expect(known(lex, 'waypoints')).toBe(true);
		expect(known(lex, 'releasing')).toBe(false);
		expect(known(lex, 'release')).toBe(true);
		expect(known(lex, 'linke', true)).toBe(true);
		expect(known(lex, 'orchestra', true)).toBe(false);
		expect(analyse(lex, ['istio', 'instal']).corrections).toEqual([]);
	});

	it('reports an honest empty when no word is on the site, with close words to offer', () => {
		const a = analyse(lex, ['xylophone', 'orchestra']);
		expect(a.empty).toBe(true);
		expect(a.absent).toEqual(['xylophone', 'orchestra']);
		expect(analyse(lex, ['quizzically']).unknown).toEqual(['quizzically']);
		expect(analyse(lex, ['tunel']).corrections).toEqual([{ from: 'tunel', to: 'tunnel' }]);
		expect(suggestions(lex, 'ztunel')).toEqual(['ztunnel']);
		expect(suggestions(lex, 'ztunel', 2)).toEqual(['ztunnel', 'tunnel']);
	});

	it('drops unknown words but keeps searching the known ones', () => {
		expect(analyse(lex, ['linkerd', 'qzxv'])).toMatchObject({
			query: 'linkerd',
			unknown: ['qzxv'],
			empty: false,
		});
	});

	// Real words the site happens not to use were "corrected" into unrelated site words, which
	// then steered the results (issue 21).
	it('keeps real words as typed: only a misspelling is corrected', () => {
		expect(analyse(lex, ['sticky', 'sessions']).corrections).toEqual([]);
		expect(analyse(lex, ['sticky']).absent).toEqual(['sticky']);
		expect(analyse(lex, ['closing', 'connection']).query).toBe('closing connection');
		expect(analyse(lex, ['unauthorized']).corrections).toEqual([]);
		// One slip from a site word, but a real word: kept. A misspelling: corrected.
		expect(analyse(lex, ['stack']).corrections).toEqual([]);
		expect(analyse(lex, ['stcuk']).corrections).toEqual([{ from: 'stcuk', to: 'stuck' }]);
	});
});

describe('the dictionary search ships', () => {
	it('holds only the real words a correction would otherwise replace', () => {
		const v = { words: words.map(([w]) => w), df: words.map(([, n]) => n) };
		expect(
			keepList(v, ['stack', 'sticky', 'closing', 'xylophone', 'linkerd', 'tunnels', 'zebra'])
		).toEqual(['stack', 'sticky']);
	});

	it('finds words two edits away, doubled letters and swaps included', () => {
		const v = { words: ['balloon', 'certificates', 'mirrored'], df: [2, 3, 1] };
		expect(
			keepList(v, [
				'baloon', // one of two equal letters deleted
				'certificated', // one letter changed
				'cerificats', // two letters deleted: a long word may be two edits away
				'mirorred', // two neighbours swapped
				'certifications', // three edits: too far
				'blloons', // two edits, but a short word gets one
				'certificates', // the site word itself
			])
		).toEqual(['baloon', 'cerificats', 'certificated', 'mirorred']);
	});

	it('ships front-coded and reads back the same words', () => {
		const list = [
			'sticky',
			'stack',
			'stick',
			'closing',
			'internationalisations',
			'internationally',
		];
		const coded = frontCode(list);
		expect(coded).toBe('0closing 0internationalisations 9onally 0stack 2ick 5y');
		expect(frontDecode(coded)).toEqual([...list].sort());
		const lex = makeLexicon({ words: ['stuck'], df: [3], errors: [], dictionary: coded });
		expect(analyse(lex, ['sticky']).corrections).toEqual([]);
	});
});

describe('synonyms from the site data', () => {
	it('pairs glossary acronyms with their expansions and status codes with their names', () => {
		expect(
			synonymGroups(
				[
					{ term: 'mTLS (mutual TLS)', match: ['mTLS', 'mutual TLS'] },
					{ term: 'CRD (CustomResourceDefinition)', match: ['CRD', 'CRDs'] },
					{ term: 'Server (Linkerd)', match: ['Server resource'] },
					{ term: 'Waypoint', match: ['waypoint', 'waypoints'] },
				],
				new Set(['503', '403'])
			)
		).toEqual([
			['mtls', 'mutual tls'],
			['crd', 'crds', 'customresourcedefinition'],
			['waypoint', 'waypoints'],
			['403', 'forbidden'],
			['503', 'service unavailable'],
		]);
	});
});

describe('short names from the vendored CRDs', () => {
	const crd = (kind: string, short: string[]) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  names:
    kind: ${kind}
    shortNames: [${short.join(', ')}]
`;
	it('maps each short name to its kind, for kinds the site names, never a stop word', () => {
		expect(
			shortNames(
				[
					`${crd('VirtualService', ['vs'])}---\n${crd('DestinationRule', ['dr'])}`,
					crd('WorkloadEntry', ['we']),
					crd('WasmPlugin', ['wp']),
				],
				new Set(['virtualservice', 'destinationrule', 'workloadentry'])
			)
		).toEqual([
			['vs', 'virtualservice'],
			['dr', 'destinationrule'],
		]);
	});

	// bench/tuning.yaml (linkerd/linkerd2#9612): "certs near expiration" means certificates; the
	// short names come from cert-manager's Certificate CRD (vendor/upstream/PROVENANCE.md).
	it("reads cert-manager's short names for a certificate", () => {
		const text = readFileSync('vendor/upstream/names/cert-manager/certificates.yaml', 'utf8');
		expect(shortNames([text], new Set(['certificate']))).toEqual([
			['cert', 'certificate'],
			['certs', 'certificate'],
		]);
	});
});

describe('the words that name a mesh', () => {
	const crd = (kind: string) =>
		`apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  names:\n    kind: ${kind}\n`;
	it('are its listed words and the kinds only its CRDs define, never English words or kinds the site does not name', () => {
		const words = meshWords(
			[
				{ id: 'istio', alsoNamedBy: ['envoy', 'istiod'] },
				{ id: 'linkerd', alsoNamedBy: ['l5d'] },
				{ id: 'kuma' },
			],
			{
				istio: [
					`${crd('VirtualService')}---\n${crd('AuthorizationPolicy')}\n---\n${crd('Gateway')}`,
					crd('WasmPlugin'),
				],
				linkerd: [crd('AuthorizationPolicy'), crd('HTTPRoute'), crd('EgressNetwork')],
				'gateway-api': [crd('HTTPRoute')],
			},
			new Set(['gateway', 'server']),
			new Set(['virtualservice', 'authorizationpolicy', 'gateway', 'httproute', 'egressnetwork'])
		);
		expect(words).toEqual({
			istio: ['envoy', 'istiod', 'virtualservice'],
			linkerd: ['egressnetwork', 'l5d'],
			kuma: [],
		});
	});
});

describe('pasted errors', () => {
	// linkerd/linkerd2#6427: the proxy logs its cause as one CamelCase word.
	it('reads the words of a CamelCase cause', () => {
		const certs = makeLexicon({
			words: ['certificate', 'expired', 'valid', 'yet'],
			df: [40, 12, 30, 8],
			pages: 160,
			errors: [{ text: 'certificate not yet valid', url: '/faq/cert-expired/' }],
		});
		expect(
			matchErrors(certs, 'identity: invalid certificate: CertNotValidYet').map((m) => m.url)
		).toEqual(['/faq/cert-expired/']);
		expect(matchErrors(certs, 'identity: invalid certificate: Expired')).toEqual([]);
	});

	it('pins a quoted text with an address that the paste holds word for word', () => {
		// Its words ("error", "connecting") are everywhere; 127.0.0.6:15002 is Istio's
		// istio-validation probe (tools/istio-iptables/pkg/validation/validator.go).
		const init = makeLexicon({
			words: ['error', 'connecting', 'connection', 'refused'],
			df: [120, 30, 80, 20],
			pages: 160,
			errors: [
				{ text: 'Error connecting to 127.0.0.6:15002', url: '/faq/pod-stuck-init/' },
				{ text: 'connection refused', url: '/faq/crashloop-after-enrol/' },
			],
		});
		const paste =
			'Error connecting to 127.0.0.6:15002: dial tcp 127.0.0.1:0->127.0.0.6:15002: connect connection refused';
		expect(matchErrors(init, paste)[0]).toMatchObject({ url: '/faq/pod-stuck-init/', pin: true });
		expect(matchErrors(init, 'Error connecting to 10.0.0.1:8080')[0]?.pin).toBe(false);
	});

	it('recognises a pasted message', () => {
		expect(looksPasted('RBAC: access denied')).toBe(true);
		expect(looksPasted('waypoint')).toBe(false);
	});

	it('finds the answer that quotes the error, whole or nearly, in any case', () => {
		const [envoy] = matchErrors(
			lex,
			'upstream connect error or disconnect/reset before headers. reset reason: connection termination'
		);
		expect(envoy).toMatchObject({ url: '/faq/envoy-upstream-connect-error/', pin: true });
		expect(matchErrors(lex, 'HTTP 403: rbac: access denied').map((m) => m.url)).toEqual([
			'/faq/rbac-access-denied/',
		]);
		expect(matchErrors(lex, 'access to the cluster')).toEqual([]);
	});

	// istio/istio#19454: "reset reason: overflow" shares everything with "reset reason: connection
	// termination" but the part that says what happened; it must not be taken for it.
	it('matches a known error only on its distinctive part, never on shared boilerplate', () => {
		expect(
			matchErrors(
				lex,
				'upstream connect error or disconnect/reset before headers. reset reason: overflow'
			)
		).toEqual([]);
	});

	// istio/istio#17587 and linkerd/linkerd2#10691 (bench/tuning.yaml): a known text made only of
	// words every other page has matches a paste that says it as written, not one that merely
	// holds its words somewhere.
	it('matches a text of common words only where the paste says it word after word', () => {
		const common = makeLexicon({
			words: [
				'istio',
				'envoy',
				'server',
				'logs',
				'linkerd',
				'default',
				'inbound',
				'policy',
				'scrape',
			],
			df: [120, 60, 50, 40, 120, 70, 30, 60, 4],
			pages: 160,
			errors: [
				{ text: 'server: istio-envoy', url: '/faq/istio-gateway-404/' },
				{ text: 'linkerd default inbound policy', url: '/faq/default-deny/' },
				{ text: 'metrics scrape fails with 403', url: '/faq/linkerd-prometheus-scrape-403/' },
			],
		});
		const urls = (q: string) => matchErrors(common, q).map((m) => m.url);
		expect(urls('Incoming Request logs are not observable at istio-proxy[Envoy] logs')).toEqual([]);
		expect(urls('HTTP/1.1 404 Not Found server: istio-envoy')).toEqual(['/faq/istio-gateway-404/']);
		expect(
			urls(
				'linkerd-viz and linkerd-multicluster components rely on a default-inbound-policy of all-unauthenticated for metrics scraping'
			)
		).toEqual([]);
		expect(urls('what is the linkerd default inbound policy?')).toEqual(['/faq/default-deny/']);
		// A rare word ("scrape") is enough on its own, in any order.
		expect(urls('prometheus: 403, the scrape of metrics fails')).toEqual([
			'/faq/linkerd-prometheus-scrape-403/',
		]);
	});

	// istio/istio#21266: "connection refused" inside a long log line is a common phrase, not the
	// message an answer quotes; it may nudge, never pin.
	it('never pins an answer on a common phrase inside a long log line', () => {
		const m = matchErrors(
			lex,
			'Error connecting to 127.0.0.6:15002: dial tcp 127.0.0.1:0->127.0.0.6:15002: connect connection refused'
		);
		expect(m.map((x) => [x.url, x.pin])).toEqual([['/faq/crashloop-after-enrol/', false]]);
		expect(matchErrors(lex, '503 no healthy upstream')[0]?.url).toBe('/faq/no-healthy-upstream/');
	});
});

describe('vocabulary', () => {
	it('keeps API names whole and also splits them into their parts', () => {
		expect(tokenize('Apply gateway.networking.k8s.io/v1 HTTPRoute')).toEqual([
			'apply',
			'gateway.networking.k8s.io/v1',
			'gateway',
			'networking',
			'k8s',
			'io',
			'v1',
			'httproute',
		]);
	});
});

describe('a text several answers quote', () => {
	// linkerd/linkerd2#6200 (bench/tuning.yaml): "Connection closed error=TCP Server service in
	// fail-fast". Three answers quote "l5d-proxy-error: service in fail-fast"; the one whose
	// question asks about it must not tie with the rollout answer, which lists it among others.
	const failfastData = {
		words: ['service', 'fail-fast', 'connection', 'closed', 'linkerd'],
		df: [150, 6, 90, 20, 140],
		pages: 160,
		titles: {
			'/faq/linkerd-504-failfast/': 'Why does Linkerd return 504 "service in fail-fast"?',
			'/faq/linkerd-rollout-502/': 'Why do I get 502s from Linkerd every time a deployment rolls?',
			'/faq/no-healthy-upstream/':
				'Why do I get "no healthy upstream" (or a Linkerd fail-fast 504)?',
		},
		errors: [
			{ text: 'l5d-proxy-error: service in fail-fast', url: '/faq/linkerd-504-failfast/' },
			{ text: 'l5d-proxy-error: service in fail-fast', url: '/faq/linkerd-rollout-502/' },
			{ text: 'l5d-proxy-error: service in fail-fast', url: '/faq/no-healthy-upstream/' },
			{ text: 'connection refused', url: '/faq/linkerd-rollout-502/' },
		],
	};
	const failfast = makeLexicon(failfastData);

	it('belongs to the answers whose question names it', () => {
		const quotes = failfast.errors.filter((e) => e.text.includes('fail-fast'));
		expect(quotes.map((e) => [e.url, Boolean(e.disowned)])).toEqual([
			['/faq/linkerd-504-failfast/', false],
			['/faq/linkerd-rollout-502/', true],
			['/faq/no-healthy-upstream/', false],
		]);
		// A text only one answer quotes is its own.
		expect(failfast.errors.at(-1)?.disowned).toBeUndefined();
	});

	it('matches the other answers at half strength', () => {
		const m = matchErrors(failfast, 'Connection closed error=TCP Server service in fail-fast');
		const of = (url: string) => m.find((x) => x.url === url)?.strength ?? 0;
		expect(m[0]?.url).toBe('/faq/linkerd-504-failfast/');
		expect(of('/faq/linkerd-rollout-502/')).toBeLessThan(of('/faq/no-healthy-upstream/') / 1.5);
	});

	it('weighs half as a phrasing of the other answers', () => {
		// Three answers are too few for the match's rarity weights: a fourth, unrelated.
		const four = makeLexicon({
			...failfastData,
			titles: { ...failfastData.titles, '/faq/other/': 'How do I install Linkerd?' },
		});
		const m = questionMatch(four, ['l5d-proxy-error', 'service', 'fail-fast']);
		expect(m.get('/faq/linkerd-rollout-502/') ?? 0).toBeLessThan(
			(m.get('/faq/linkerd-504-failfast/') ?? 0) * 0.75
		);
	});
});
