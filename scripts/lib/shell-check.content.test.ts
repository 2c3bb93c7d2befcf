import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../../src/lib/dist-files.ts';
import { checkShellBlock, extractShellBlocks } from './shell-check.ts';

describe('every shell block on the site', () => {
	const blocks = ['content/docs', 'content/faq'].flatMap((dir) =>
		listFiles(dir)
			.filter((f) => f.endsWith('.mdx'))
			.flatMap((f) => extractShellBlocks(`${dir}/${f}`, readFileSync(`${dir}/${f}`, 'utf8')))
	);

	it('exists in numbers worth checking', () => {
		expect(blocks.length).toBeGreaterThan(50);
	});

	it('passes bash -n', () => {
		expect(blocks.flatMap(checkShellBlock)).toEqual([]);
	});
});
