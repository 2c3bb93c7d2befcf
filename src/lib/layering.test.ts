import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from './dist-files.ts';

/**
 * Data, schemas and the Markdown pipeline sit below the features: nothing there may import a
 * feature folder under src/components/, or the folders import each other in one knot again.
 * Tests are exempt: a test may check how a lower module serves a feature.
 */
const lower = [
	...listFiles('src/lib').map((f) => `src/lib/${f}`),
	...listFiles('src/markdown').map((f) => `src/markdown/${f}`),
	...listFiles('src/schemas').map((f) => `src/schemas/${f}`),
	'src/content.ts',
	'src/content.config.ts',
].filter((f) => /\.(ts|mjs)$/.test(f) && !/\.test\.ts$/.test(f) && !f.includes('/fixtures/'));

/** Import specifiers of a module, static and dynamic. */
function importsOf(source: string): string[] {
	return [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
}

describe('layering', () => {
	it('reads import specifiers, static and dynamic', () => {
		expect(
			importsOf(
				"import a from './a.ts';\nexport { b } from '../b';\nconst c = await import('../components/c');"
			)
		).toEqual(['./a.ts', '../b', '../components/c']);
	});

	it('no module of src/lib, src/markdown, src/schemas, content.ts or content.config.ts imports a feature', () => {
		expect(lower.length).toBeGreaterThan(20);
		const upward = lower.flatMap((file) =>
			importsOf(readFileSync(file, 'utf8'))
				.filter((spec) => /(^|\/)components\//.test(spec))
				.map((spec) => `${file} imports ${spec}`)
		);
		expect(upward).toEqual([]);
	});
});
