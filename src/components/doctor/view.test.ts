import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/doctor/types.ts';
import { appliesTo, fileProblem, lineRange, sortFindings, summaryText, whereText } from './view';

const finding = (over: Partial<Finding>): Finding => ({
	doc: 1,
	line: 1,
	severity: 'error',
	rule: 'yaml-syntax',
	message: 'Broken.',
	see: '/doctor/',
	...over,
});

describe('summaryText', () => {
	it('counts errors and warnings, singular and plural', () => {
		expect(
			summaryText([finding({}), finding({ severity: 'warning' }), finding({ severity: 'warning' })])
		).toBe('1 error, 2 warnings');
		expect(summaryText([finding({ severity: 'warning' })])).toBe('0 errors, 1 warning');
	});
	it('says so when nothing was found', () => {
		expect(summaryText([])).toBe('No problems found');
	});
});

it('sorts by document, then line, errors before warnings on the same line', () => {
	const sorted = sortFindings([
		finding({ doc: 2, line: 1, rule: 'd' }),
		finding({ doc: 1, line: 9, rule: 'c' }),
		finding({ doc: 1, line: 3, severity: 'warning', rule: 'b' }),
		finding({ doc: 1, line: 3, rule: 'a' }),
	]);
	expect(sorted.map((f) => f.rule)).toEqual(['a', 'b', 'c', 'd']);
});

it('names the place of a finding', () => {
	expect(whereText({ doc: 2, line: 14 })).toBe('Document 2, line 14');
});

describe('lineRange', () => {
	const text = 'a: 1\nbb: 2\n\nccc: 3';
	it('gives the offsets of a line without its newline', () => {
		expect(lineRange(text, 1)).toEqual([0, 4]);
		expect(text.slice(...lineRange(text, 2))).toBe('bb: 2');
		expect(lineRange(text, 3)).toEqual([11, 11]);
		expect(text.slice(...lineRange(text, 4))).toBe('ccc: 3');
	});
	it('stops at the last line for a line past the end', () => {
		expect(text.slice(...lineRange(text, 40))).toBe('ccc: 3');
	});
});

describe('fileProblem', () => {
	it('accepts .yaml and .yml files up to 1 MB', () => {
		expect(fileProblem({ name: 'route.yaml', size: 300 })).toBeNull();
		expect(fileProblem({ name: 'ROUTE.YML', size: 1024 * 1024 })).toBeNull();
	});
	it('names a file of another type and says what to do', () => {
		expect(fileProblem({ name: 'notes.txt', size: 10 })).toBe(
			'notes.txt is not a .yaml or .yml file: choose a YAML manifest, or paste its text.'
		);
	});
	it('names a file that is too large, with its size', () => {
		expect(fileProblem({ name: 'all.yaml', size: 3.2 * 1024 * 1024 })).toMatch(
			/^all\.yaml is 3\.2 MB; the doctor reads files up to 1 MB\./
		);
	});
});

describe('appliesTo', () => {
	const name = (id: string) => ({ istio: 'Istio', 'gateway-api': 'Gateway API' })[id] ?? id;
	it('groups releases under their mesh', () => {
		expect(
			appliesTo(['gateway-api', 'istio'], ['gateway-api v1.6.1', 'istio 1.30', 'istio 1.31'], name)
		).toBe('Gateway API v1.6.1; Istio 1.30, 1.31');
	});
	it('says "any release" when a rule holds for every one', () => {
		expect(appliesTo(['kubernetes'], ['any'], name)).toBe('kubernetes, any release');
	});
	it('keeps a release whose mesh the rule does not list', () => {
		expect(appliesTo(['istio'], ['linkerd 2.20'], name)).toBe('Istio; linkerd 2.20');
	});
});
