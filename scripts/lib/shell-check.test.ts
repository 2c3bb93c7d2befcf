import { describe, expect, it } from 'vitest';
import { checkShellBlock, extractShellBlocks } from './shell-check.ts';

describe('the shell check', () => {
	it('reports a broken block with its file and line', () => {
		const source =
			'intro\n\n```bash\nhelm install a b \\\n  --set x=1\nif true; then echo <name>\n```\n';
		const blocks = extractShellBlocks('page.mdx', source);
		expect(blocks).toHaveLength(1);
		expect(blocks.flatMap(checkShellBlock)).toEqual([
			'page.mdx:7: bash -n: syntax error: unexpected end of file',
		]);
	});
});
