import { spawnSync } from 'node:child_process';
import { placeholderPattern } from '../../src/markdown/placeholders.ts';
import { shellLangs } from '../../src/lib/hast-text.ts';

export interface ShellBlock {
	file: string;
	/** 1-based line of the block's first code line in the source file. */
	line: number;
	code: string;
}

/** Every shell code fence in an MDX/Markdown source, except `output` blocks. */
export function extractShellBlocks(file: string, source: string): ShellBlock[] {
	const blocks: ShellBlock[] = [];
	const lines = source.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const open = lines[i]?.match(/^(\s*)(`{3,}|~{3,})(\w+)?(.*)$/);
		if (!open) continue;
		const fence = open[2] ?? '```';
		const lang = open[3] ?? '';
		const meta = open[4] ?? '';
		let j = i + 1;
		while (j < lines.length && !lines[j]?.trimStart().startsWith(fence)) j++;
		if (shellLangs.has(lang) && !/\boutput\b/.test(meta)) {
			blocks.push({ file, line: i + 2, code: lines.slice(i + 1, j).join('\n') });
		}
		i = j;
	}
	return blocks;
}

/**
 * Runs `bash -n` (parse only, nothing executes) on a block. Placeholders such as `<namespace>`
 * would parse as redirections, so they are replaced by a word first. Returns problems as
 * `file:line: message`, with the line in the source file.
 */
export function checkShellBlock(block: ShellBlock): string[] {
	const code = block.code.replace(
		placeholderPattern,
		(_m, name: string) => `PLACEHOLDER_${name.replace(/-/g, '_')}`
	);
	const run = spawnSync('bash', ['-n'], { input: `${code}\n`, encoding: 'utf8' });
	if (run.status === 0) return [];
	return run.stderr
		.split('\n')
		.filter(Boolean)
		.map((msg) => {
			const m = msg.match(/^bash: (?:-: )?line (\d+): (.*)$/);
			const line = m ? block.line + Number(m[1]) - 1 : block.line;
			return `${block.file}:${line}: bash -n: ${m?.[2] ?? msg}`;
		});
}
