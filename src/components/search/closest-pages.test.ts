import { describe, expect, it } from 'vitest';
import { closestPages, editDistance, words } from './closest-pages.ts';

const site = [
	{ href: '/istio/install/', title: 'Install Istio' },
	{ href: '/linkerd/install/', title: 'Install Linkerd' },
	{ href: '/linkerd/traffic/', title: 'Traffic management in Linkerd' },
	{ href: '/faq/linkerd-fault-injection/', title: 'Does Linkerd do fault injection?' },
	{ href: '/faq/restart-pods/', title: 'Do I need to restart pods after enabling a mesh?' },
	{ href: '/reference/glossary/', title: 'Glossary' },
];
const hrefs = (path: string, base = '/') => closestPages(path, site, base).map((c) => c.href);

describe('closest pages for a broken address', () => {
	it('finds a page moved to another section by its words', () => {
		expect(hrefs('/linkerd/fault-injection/')[0]).toBe('/faq/linkerd-fault-injection/');
	});

	it('forgives typos and singulars', () => {
		expect(hrefs('/istio/instal/')[0]).toBe('/istio/install/');
		expect(hrefs('/faq/restart-pod')[0]).toBe('/faq/restart-pods/');
		expect(hrefs('/refrence/glosary.html')[0]).toBe('/reference/glossary/');
	});

	it('reads the address under a sub-path', () => {
		const sub = site.map((c) => ({ ...c, href: `/docs/mesh${c.href}` }));
		expect(closestPages('/docs/mesh/istio/instal/', sub, '/docs/mesh/')[0]?.href).toBe(
			'/docs/mesh/istio/install/'
		);
	});

	it('offers nothing for the 404 page itself or an address unlike any page', () => {
		expect(hrefs('/404.html')).toEqual([]);
		expect(hrefs('/')).toEqual([]);
		expect(hrefs('/wp-admin/setup-config.php')).toEqual([]);
		// One right word of two is not enough, and "fault" is not a typo of "default".
		expect(
			closestPages('/linkerd/fault/', [{ href: '/linkerd/policy/', title: 'Default policy' }])
		).toEqual([]);
	});

	it('returns at most three, best first', () => {
		expect(hrefs('/linkerd/')).toHaveLength(3);
		expect(hrefs('/linkerd/')).not.toContain('/istio/install/');
	});

	it('splits addresses into words and measures edits', () => {
		expect(words('/FAQ/Restart_Pods/index.html')).toEqual(['faq', 'restart', 'pods']);
		expect(editDistance('instal', 'install')).toBe(1);
		expect(editDistance('', 'abc')).toBe(3);
		expect(editDistance('kitten', 'sitting')).toBe(3);
	});
});
