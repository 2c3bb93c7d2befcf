import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLinks } from './linkcheck.ts';

const dist = fileURLToPath(new URL('./fixtures/linkcheck', import.meta.url));

describe('internal link checker', () => {
	it('reports missing pages and fragments, and nothing else', () => {
		expect(checkLinks(dist, '/')).toEqual([
			{ page: '/guide/', target: '#gone', problem: 'no element with id "gone" on /guide/' },
			{ page: '/', target: '/guide/#nope', problem: 'no element with id "nope" on /guide/' },
			{ page: '/', target: '/missing/', problem: 'no page or file at /missing/' },
		]);
	});

	it('flags links that escape a sub-path base', () => {
		const broken = checkLinks(dist, '/docs/mesh/');
		expect(broken.filter((b) => b.target === '/guide/')[0]?.problem).toBe(
			'points outside the base path /docs/mesh/; write it root-relative so the base is added'
		);
	});
});
