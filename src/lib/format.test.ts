import { describe, expect, it } from 'vitest';
import { appliesTo, listAnd } from './format.ts';

describe('lists in a sentence', () => {
	it('joins with commas and a last "and", without a serial comma', () => {
		expect(listAnd([])).toBe('');
		expect(listAnd(['Istio'])).toBe('Istio');
		expect(listAnd(['Istio', 'Linkerd'])).toBe('Istio and Linkerd');
		expect(listAnd(['Istio', 'Linkerd', 'Cilium'])).toBe('Istio, Linkerd and Cilium');
	});

	it('says an answer about no mesh applies to any cluster', () => {
		expect(appliesTo([])).toBe('Applies to any cluster.');
		expect(appliesTo(['Istio', 'Linkerd'])).toBe('Applies to Istio and Linkerd.');
	});
});
