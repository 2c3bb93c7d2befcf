import { describe, expect, it } from 'vitest';
import {
	analyse,
	correctable,
	distance,
	known,
	looksPasted,
	makeLexicon,
	matchErrors,
	rarestTerms,
	suggestions,
} from './correct.ts';
import { tokenize } from './vocabulary.ts';

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
] as const;
const lex = makeLexicon({
	words: words.map(([w]) => w),
	df: words.map(([, n]) => n),
	errors: [
		{
			text: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
			url: '/faq/envoy-upstream-connect-error/',
		},
		{ text: 'RBAC: access denied', url: '/faq/rbac-access-denied/' },
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
		expect(a.unknown).toEqual(['xylophone', 'orchestra']);
		expect(analyse(lex, ['tunel']).corrections).toEqual([{ from: 'tunel', to: 'tunnel' }]);
		expect(suggestions(lex, 'ztunel')).toEqual(['ztunnel', 'tunnel']);
	});

	it('drops unknown words but keeps searching the known ones', () => {
		expect(analyse(lex, ['linkerd', 'xylophone'])).toMatchObject({
			query: 'linkerd',
			unknown: ['xylophone'],
			empty: false,
		});
	});
});

describe('pasted errors', () => {
	it('recognises a pasted message', () => {
		expect(looksPasted('RBAC: access denied')).toBe(true);
		expect(looksPasted('waypoint')).toBe(false);
	});

	it('finds the answer that quotes the error, whole or nearly, in any case', () => {
		expect(
			matchErrors(
				lex,
				'upstream connect error or disconnect/reset before headers. reset reason: connection termination'
			)
		).toEqual(['/faq/envoy-upstream-connect-error/']);
		expect(matchErrors(lex, 'HTTP 403: rbac: access denied')).toEqual(['/faq/rbac-access-denied/']);
		expect(matchErrors(lex, 'access to the cluster')).toEqual([]);
	});

	it('falls back to the rarest known words of a long message', () => {
		expect(rarestTerms(lex, ['istio', 'httproute', 'ztunnel', 'unknownword'], 2)).toEqual([
			'httproute',
			'ztunnel',
		]);
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
