import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
	editQuery,
	readParam,
	readParams,
	readPrefixed,
	urlParams,
	type ParamName,
} from './url-state';

const exact: string[] = urlParams.flatMap((p) => ('names' in p ? [...p.names] : []));
const prefixes: string[] = urlParams.flatMap((p) => ('prefix' in p ? [p.prefix] : []));
const listed = (name: string) => exact.includes(name) || prefixes.some((p) => name.startsWith(p));

/** The text inside the parentheses that open at `open`, or null when they never close. */
function argsAt(source: string, open: number): string | null {
	let depth = 0;
	for (let i = open; i < source.length; i++) {
		if (source[i] === '(') depth++;
		else if (source[i] === ')' && --depth === 0) return source.slice(open + 1, i);
	}
	return null;
}

/** A literal parameter name at the start of a call's arguments: 'q', "q" or `ph.${…}`. */
function literalName(args: string): string | null {
	const m = /^\s*(?:'([^']*)'|"([^"]*)"|`([^`$]*))/.exec(args);
	return m ? (m[1] ?? m[2] ?? m[3] ?? null) : null;
}

/**
 * Query parameters a source file touches without naming a listed one: a `searchParams` call
 * whose name is not a listed literal, a `new URLSearchParams(…)` not read at once by a listed
 * literal name, or a `?name=${…}` built into a link.
 */
function unownedParams(source: string): string[] {
	const found: string[] = [];
	for (const m of source.matchAll(/searchParams\s*\.\s*(get|getAll|set|append|has|delete)\s*\(/g)) {
		const args = argsAt(source, m.index + m[0].length - 1) ?? '';
		const name = literalName(args);
		if (name === null || !listed(name)) found.push(`searchParams.${m[1] ?? ''}(${args})`);
	}
	for (const m of source.matchAll(/new\s+URLSearchParams\s*\(/g)) {
		const open = m.index + m[0].length - 1;
		const args = argsAt(source, open) ?? '';
		const after = source.slice(open + args.length + 2);
		const read = /^\s*\.\s*(?:get|getAll|has)\s*\(/.exec(after);
		const name = read ? literalName(after.slice(read[0].length)) : null;
		if (name === null || !listed(name)) found.push(`new URLSearchParams(${args})`);
	}
	for (const m of source.matchAll(/[?&]([A-Za-z][\w.]*)=\$\{/g)) {
		if (!listed(m[1] ?? '')) found.push(m[0]);
	}
	return found;
}

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const path = join(dir, e.name);
		if (e.isDirectory()) return sourceFiles(path);
		return /\.(ts|mts|js|mjs|astro)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [path] : [];
	});
}

describe('the parameter list', () => {
	test('every parameter has one owner, a meaning and a format', () => {
		expect(new Set(exact).size).toBe(exact.length);
		for (const p of urlParams) {
			expect(p.owner.length).toBeGreaterThan(5);
			expect(p.meaning.length).toBeGreaterThan(5);
			expect(p.format.length).toBeGreaterThan(5);
		}
		expect(exact).toEqual(expect.arrayContaining(['q', 'mesh', 'kind', 'hl', 'answers', 'rev']));
		expect(prefixes).toEqual(['ph.']);
	});

	test('the mesh tabs and search never share a parameter', () => {
		const ownerOf = (name: string) =>
			urlParams.find((p) => 'names' in p && p.names.some((n) => n === name))?.owner;
		expect(ownerOf('tab')).toMatch(/^mesh tabs/);
		expect(ownerOf('mesh')).toMatch(/^search/);
	});

	test('names outside the list do not type-check', () => {
		// @ts-expect-error: not a listed parameter
		const bogus: ParamName = 'bogus';
		const family: ParamName = 'ph.namespace';
		expect([bogus, family]).toHaveLength(2);
	});
});

describe('reading and writing', () => {
	test('reads one value, every value, and a family', () => {
		const search =
			'?q=mtls&mesh=istio&mesh=linkerd&ph.namespace=shop&ph.pod-name=api-1&tab=linkerd';
		expect(readParam(search, 'q')).toBe('mtls');
		expect(readParam(search, 'kind')).toBeNull();
		expect(readParams(search, 'mesh')).toEqual(['istio', 'linkerd']);
		expect(readParam(search, 'tab')).toBe('linkerd');
		expect(readPrefixed(search, 'ph.')).toEqual([
			['namespace', 'shop'],
			['pod-name', 'api-1'],
		]);
	});

	test('changes only the parameters named, keeping the others', () => {
		const search = '?tab=linkerd&mesh=istio&q=retries';
		expect(editQuery(search, { mesh: null })).toBe('?tab=linkerd&q=retries');
		expect(editQuery(search, { mesh: ['linkerd', 'istio'], kind: 'faq' })).toBe(
			'?tab=linkerd&q=retries&mesh=linkerd&mesh=istio&kind=faq'
		);
		expect(editQuery(search, { q: '' })).toBe('?tab=linkerd&mesh=istio');
		expect(editQuery(search, { tab: 'istio' })).toBe('?tab=istio&mesh=istio&q=retries');
		expect(editQuery('?tab=istio', { tab: 'linkerd' })).toBe('?tab=linkerd');
		expect(editQuery('?tab=istio', { tab: null })).toBe('');
		expect(editQuery('', { 'ph.namespace': 'a b&c' })).toBe('?ph.namespace=a+b%26c');
		expect(readParam(editQuery('', { q: 'a&b=c' }), 'q')).toBe('a&b=c');
	});
});

describe('no parameter without an owner', () => {
	test('the scan finds unlisted names, computed names and loose readers', () => {
		expect(unownedParams(`url.searchParams.set('mesh', m)`)).toEqual([]);
		expect(unownedParams('url.searchParams.delete(`ph.${name}`)')).toEqual([]);
		expect(unownedParams(`new URLSearchParams(location.search).get('q')`)).toEqual([]);
		expect(unownedParams('const href = `${page}?rev=${n}`;')).toEqual([]);
		expect(unownedParams(`url.searchParams.set('colour', c)`)).toHaveLength(1);
		expect(unownedParams(`url.searchParams.append(b.name, b.value)`)).toHaveLength(1);
		expect(unownedParams(`const p = new URLSearchParams(search); p.get(key);`)).toHaveLength(1);
		expect(unownedParams(`new URLSearchParams(location.search).get('colour')`)).toHaveLength(1);
		expect(unownedParams('link.search = `?colour=${c}`;')).toHaveLength(1);
	});

	test('every parameter src/ reads or writes is listed, or handled by this module', () => {
		const root = join(import.meta.dirname, '..');
		const self = join(import.meta.dirname, 'url-state.ts');
		const unowned = sourceFiles(root)
			.filter((f) => f !== self)
			.flatMap((f) =>
				unownedParams(readFileSync(f, 'utf8')).map((u) => `${relative(root, f)}: ${u}`)
			);
		expect(unowned, 'list the parameter in src/lib/url-state.ts, or use its helpers').toEqual([]);
	});
});
