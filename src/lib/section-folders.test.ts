import { describe, expect, it } from 'vitest';
import { sectionFolders } from './section-folders.ts';

const nav = [
	{ id: 'start', label: 'Start here', items: ['index', 'concepts/why', 'faq'] },
	{ id: 'istio', label: 'Istio', items: ['istio/install', 'istio/security'] },
	{ id: 'network', label: 'Networking', items: ['network/ingress', 'concepts/protocols'] },
	{ id: 'ops', label: 'Operate', items: ['faq/deep/one', 'ops/day-two/checks'] },
];
const slugOf = (p: string) => (p === 'index' ? undefined : p);

describe('sectionFolders', () => {
	const folders = sectionFolders(nav, slugOf);

	it('gives every folder of page addresses, in reading order, except one that is a page', () => {
		expect(folders.map((f) => f.folder)).toEqual(['concepts', 'istio', 'network', 'ops']);
	});

	it('groups a folder’s pages under the sidebar sections that list them, in sidebar order', () => {
		const concepts = folders.find((f) => f.folder === 'concepts');
		expect(concepts?.groups).toEqual([
			{ id: 'start', label: 'Start here', items: ['concepts/why'] },
			{ id: 'network', label: 'Networking', items: ['concepts/protocols'] },
		]);
		expect(concepts?.count).toBe(2);
	});

	it('is titled like the sidebar section of the same name, or after the folder', () => {
		expect(folders.map((f) => f.title)).toEqual(['Concepts', 'Istio', 'Networking', 'Operate']);
	});

	it('lists deeper pages in their top folder', () => {
		expect(folders.find((f) => f.folder === 'ops')?.groups[0]?.items).toEqual([
			'ops/day-two/checks',
		]);
	});
});
