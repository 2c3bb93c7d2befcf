import { describe, expect, it } from 'vitest';
import { keyTerms, normalise, planQueries } from './query-plan.ts';

describe('query planning', () => {
	it('searches the query as typed first, then without stop words, then selective terms', () => {
		expect(planQueries('Do I need to restart pods after enabling Linkerd?')).toEqual([
			'do i need to restart pods after enabling linkerd',
			'restart pods linkerd',
			'rollout restart pods linkerd',
			'restart linkerd pods',
			'restart linkerd',
			'restart',
			'rollout restart',
			'linkerd',
		]);
	});

	it('swaps synonyms both ways, whole phrases included', () => {
		expect(planQueries('mutual TLS')).toContain('mtls');
		expect(planQueries('mtls')).toContain('mutual tls');
		expect(planQueries('sidecarless')).toContain('ambient');
		expect(planQueries('authz')).toContain('authorization');
	});

	it('reads intent that the words alone miss', () => {
		expect(planQueries('when should I not use a service mesh')).toContain('neither premature');
	});

	it('keeps mesh vocabulary intact', () => {
		expect(normalise('linkerd.io/inject')).toBe('linkerd.io/inject');
		expect(normalise('istio.io/dataplane-mode=ambient')).toBe('istio.io/dataplane-mode=ambient');
		expect(keyTerms(normalise('What is ztunnel-config?'))).toEqual(['ztunnel-config']);
	});

	it('handles empty, hostile and huge input', () => {
		expect(planQueries('')).toEqual([]);
		expect(planQueries('   ???  ')).toEqual([]);
		expect(planQueries('<script>alert(1)</script>')[0]).toBe('script alert 1 /script');
		const long = planQueries('mesh '.repeat(200));
		expect(long[0]?.length).toBeLessThanOrEqual(200);
		expect(long.length).toBeLessThanOrEqual(8);
	});
});
