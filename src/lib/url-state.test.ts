import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import {
	editQuery,
	pausedParams,
	readParam,
	readParams,
	readPrefixed,
	urlParams,
	type ParamName,
} from './url-state';

const exact: string[] = urlParams.flatMap((p) => ('names' in p ? [...p.names] : []));
const prefixes: string[] = urlParams.flatMap((p) => ('prefix' in p ? [p.prefix] : []));
const specOf = (name: string) =>
	urlParams.find((p) =>
		'names' in p ? p.names.some((n) => n === name) : name.startsWith(p.prefix)
	);

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
 * Query parameters a source file (`file`, relative to `src/`) touches without owning them: a
 * `searchParams` call whose name is not a literal, a `new URLSearchParams(…)` not read at once
 * by a literal name, or any name (in those, in a `?name=${…}` link, or given to this module's
 * readers) that is not listed or that this file is not among the places listed for it.
 */
function unownedParams(source: string, file: string): string[] {
	const found: string[] = [];
	const check = (name: string | null, what: string) => {
		const spec = name === null ? undefined : specOf(name);
		if (!spec) found.push(`${what}: not a listed parameter`);
		else if (!spec.files.some((f) => file === f || (f.endsWith('/') && file.startsWith(f))))
			found.push(`${what}: belongs to ${spec.owner}`);
	};
	for (const m of source.matchAll(/searchParams\s*\.\s*(get|getAll|set|append|has|delete)\s*\(/g)) {
		const args = argsAt(source, m.index + m[0].length - 1) ?? '';
		check(literalName(args), `searchParams.${m[1] ?? ''}(${args})`);
	}
	for (const m of source.matchAll(/new\s+URLSearchParams\s*\(/g)) {
		const open = m.index + m[0].length - 1;
		const args = argsAt(source, open) ?? '';
		const after = source.slice(open + args.length + 2);
		const read = /^\s*\.\s*(?:get|getAll|has)\s*\(/.exec(after);
		check(read ? literalName(after.slice(read[0].length)) : null, `new URLSearchParams(${args})`);
	}
	for (const m of source.matchAll(/[?&]([A-Za-z][\w.]*)=\$\{/g)) check(m[1] ?? '', m[0]);
	// A computed name given to this module's readers is a ParamName: TypeScript checks that one.
	for (const m of source.matchAll(/\b(readParams?|readPrefixed)\s*\([^,()]*,\s*/g)) {
		const name = literalName(source.slice(m.index + m[0].length));
		if (name !== null) check(name, m[0]);
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
		expect(specOf('tab')?.owner).toBe('mesh tabs');
		expect(specOf('mesh')?.owner).toBe('search filters');
		expect(specOf('ph.namespace')?.owner).toBe('placeholders in commands');
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
		expect(editQuery(search, { mesh: null })).toBe('tab=linkerd&q=retries');
		expect(editQuery(search, { mesh: ['linkerd', 'istio'], kind: 'faq' })).toBe(
			'tab=linkerd&q=retries&mesh=linkerd&mesh=istio&kind=faq'
		);
		expect(editQuery(search, { q: '', mesh: [] })).toBe('tab=linkerd');
		expect(editQuery(search, { tab: 'istio' })).toBe('mesh=istio&q=retries&tab=istio');
		expect(editQuery('?tab=istio', { tab: 'linkerd' })).toBe('tab=linkerd');
		expect(editQuery('?tab=istio', { tab: null })).toBe('');
		expect(editQuery('', { 'ph.namespace': 'a b&c' })).toBe('ph.namespace=a+b%26c');
		expect(readParam(editQuery('', { q: 'a&b=c' }), 'q')).toBe('a&b=c');
	});
});

describe('no parameter without an owner', () => {
	test('the scan finds unlisted names, computed names, loose readers and borrowed names', () => {
		const search = 'components/search/ui.ts';
		expect(unownedParams(`url.searchParams.set('mesh', m)`, search)).toEqual([]);
		expect(unownedParams(`new URLSearchParams(location.search).get('q')`, search)).toEqual([]);
		expect(unownedParams(`readParams(location.search, 'kind')`, search)).toEqual([]);
		const code = 'components/code/placeholder-values.ts';
		expect(unownedParams('url.searchParams.delete(`ph.${name}`)', code)).toEqual([]);
		expect(unownedParams('const href = `${page}?rev=${n}`;', 'components/faq/X.astro')).toEqual([]);
		expect(unownedParams(`url.searchParams.set('colour', c)`, search)).toHaveLength(1);
		expect(unownedParams(`url.searchParams.append(b.name, b.value)`, search)).toHaveLength(1);
		expect(unownedParams(`const p = new URLSearchParams(s); p.get(key);`, search)).toHaveLength(1);
		expect(unownedParams(`new URLSearchParams(s).get('colour')`, search)).toHaveLength(1);
		expect(unownedParams('link.search = `?colour=${c}`;', search)).toHaveLength(1);
		expect(unownedParams(`readParam(s, key)`, search)).toEqual([]);
		expect(unownedParams(`readParam(s, 'hl')`, 'components/tree/tree.ts')).toHaveLength(1);
		// The mesh tabs reading search's filter: the bug this list exists to prevent.
		const tabs = 'components/code/MeshTabs.astro';
		expect(unownedParams(`new URLSearchParams(location.search).get('mesh')`, tabs)).toEqual([
			'new URLSearchParams(location.search): belongs to search filters',
		]);
		expect(unownedParams(`readParam(location.search, 'tab')`, tabs)).toEqual([]);
	});

	test('every parameter src/ reads or writes is listed, and used only where its owner is', () => {
		const root = join(import.meta.dirname, '..');
		const self = join(import.meta.dirname, 'url-state.ts');
		const unowned = sourceFiles(root)
			.filter((f) => f !== self)
			.flatMap((f) => {
				const file = relative(root, f).split(sep).join('/');
				return unownedParams(readFileSync(f, 'utf8'), file).map((u) => `${file}: ${u}`);
			});
		expect(
			unowned,
			'list the parameter in src/lib/url-state.ts with its owner and files, and use its helpers'
		).toEqual([]);
	});
});

describe('an address that follows typing', () => {
	test('is written once typing pauses, with the last query, at once when flushed, never when cancelled', () => {
		vi.useFakeTimers();
		try {
			const written: unknown[] = [];
			const address = pausedParams(300, (c) => written.push(c));
			address.set({ q: 'i' });
			vi.advanceTimersByTime(200);
			address.set({ q: 'is' });
			vi.advanceTimersByTime(200);
			expect(written).toEqual([]);
			vi.advanceTimersByTime(100);
			expect(written).toEqual([{ q: 'is' }]);
			address.set({ q: 'ist' });
			address.flush();
			address.flush();
			vi.advanceTimersByTime(1000);
			expect(written).toEqual([{ q: 'is' }, { q: 'ist' }]);
			address.set({ q: 'isti' });
			address.cancel();
			vi.advanceTimersByTime(1000);
			expect(written).toHaveLength(2);
		} finally {
			vi.useRealTimers();
		}
	});
});
