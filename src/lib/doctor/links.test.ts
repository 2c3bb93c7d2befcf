import { describe, expect, it } from 'vitest';
import { findingsMarkdown, linkFor } from './links.ts';
import type { Finding } from './types.ts';

const revs = { 'default-deny': 3, 'when-waypoint': 1 };

describe('linkFor', () => {
	it('adds the answer revision and the base', () => {
		expect(linkFor('/faq/default-deny/', { base: '/', revs })).toBe('/faq/default-deny/?rev=3');
		expect(linkFor('/faq/default-deny/', { base: '/docs/mesh/', revs })).toBe(
			'/docs/mesh/faq/default-deny/?rev=3'
		);
	});

	it('keeps the fragment after the query and makes the link absolute with a site', () => {
		expect(
			linkFor('/faq/when-waypoint/#l7', { base: '/g/', site: 'https://kb.example/', revs })
		).toBe('https://kb.example/g/faq/when-waypoint/?rev=1#l7');
	});

	it('adds no revision to pages or to answers it has no history for', () => {
		expect(linkFor('/istio/security/#peer', { base: '/', revs })).toBe('/istio/security/#peer');
		expect(linkFor('/faq/unknown/', { base: '/', revs })).toBe('/faq/unknown/');
	});
});

describe('findingsMarkdown', () => {
	const f: Finding = {
		doc: 2,
		line: 14,
		severity: 'error',
		rule: 'yaml-syntax',
		message: 'It breaks.',
		path: 'spec.mode',
		see: '/faq/default-deny/',
	};

	const noPath: Finding = { ...f };
	delete noPath.path;

	it('lists each finding with its place and link, after a count', () => {
		const md = findingsMarkdown([f, { ...noPath, severity: 'warning' }], (s) => `L${s}`, 'a.yaml');
		expect(md).toBe(
			'Config doctor: 1 error, 1 warning in `a.yaml`:\n\n' +
				'- **error** `yaml-syntax` (document 2, line 14, `spec.mode`): It breaks. [Why](L/faq/default-deny/)\n' +
				'- **warning** `yaml-syntax` (document 2, line 14): It breaks. [Why](L/faq/default-deny/)\n'
		);
	});

	it('says when nothing was found', () => {
		expect(findingsMarkdown([], (s) => s)).toBe(
			'Config doctor: 0 errors, 0 warnings in the pasted YAML.\n'
		);
	});
});
