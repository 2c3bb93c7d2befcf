import { describe, expect, it } from 'vitest';
import { highlightPattern, highlightTerms, maxTermLength } from './highlight-terms.ts';

describe('search-term marks (?hl=)', () => {
	it('keeps up to five terms of two characters or more', () => {
		expect(highlightTerms('?hl=mtls+a+strict+peer+auth+policy+extra')).toEqual([
			'mtls',
			'strict',
			'peer',
			'auth',
			'policy',
		]);
	});

	it('matches terms literally, whatever characters they hold', () => {
		const re = highlightPattern(`?hl=${encodeURIComponent('a.b (x|y)')}`) ?? /never/;
		expect('see a.b and (x|y)'.split(re)).toEqual(['see ', 'a.b', ' and ', '(x|y)', '']);
		expect('axb'.split(re)).toEqual(['axb']);
	});

	it('ignores a huge term instead of throwing "Regular expression too large"', () => {
		const huge = 'x'.repeat(40_000);
		// The unguarded pattern really throws, so this test fails without the cap.
		let unguarded = 'did not throw';
		try {
			'text'.split(new RegExp(`(${huge})`, 'gi'));
		} catch (e) {
			unguarded = (e as Error).message.slice(-30);
		}
		expect(unguarded).toMatch(/too large/);
		expect(() => highlightPattern(`?hl=${huge}`)).not.toThrow();
		expect(highlightPattern(`?hl=${huge}`)).toBeUndefined();
		expect(highlightTerms(`?hl=${'y'.repeat(maxTermLength)}+${huge}+istio`)).toEqual([
			'y'.repeat(maxTermLength),
		]);
	});

	it('stays small for thousands of terms or special characters', () => {
		const many = Array.from({ length: 50_000 }, (_, i) => `t${i}`).join(' ');
		expect(highlightTerms(`?hl=${encodeURIComponent(many)}`)).toHaveLength(5);
		const re = highlightPattern(`?hl=${encodeURIComponent('\\'.repeat(60) + ' [[[')}`);
		expect(re?.source.length).toBeLessThan(400);
	});
});
