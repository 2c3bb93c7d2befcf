import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { checkText } from '../../src/lib/doctor/index.ts';

const fixtures = 'src/lib/doctor/fixtures';

/** About `lines` lines of YAML: the doctor's fixtures, bad and clean, joined as one paste. */
export function benchText(lines = 500): string {
	const files = ['bad', 'clean'].flatMap((k) =>
		readdirSync(join(fixtures, k))
			.filter((f) => f.endsWith('.yaml') && !f.startsWith('yaml-syntax'))
			.sort()
			.map((f) => readFileSync(join(fixtures, k, f), 'utf8').trimEnd())
	);
	const out: string[] = [];
	let count = 0;
	for (const text of files) {
		if (count >= lines) break;
		out.push(text);
		count += text.split('\n').length + 1;
	}
	return out.join('\n---\n');
}

const quantile = (sorted: number[], q: number) =>
	sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;

/** Median and 95th percentile of `checkText` on `text`, in milliseconds, after warm-up runs. */
export function timeCheck(
	text: string,
	runs = 40
): { median: number; p95: number; findings: number } {
	for (let i = 0; i < 3; i++) checkText(text);
	const times: number[] = [];
	let findings = 0;
	for (let i = 0; i < runs; i++) {
		const t = performance.now();
		findings = checkText(text).length;
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	return { median: quantile(times, 0.5), p95: quantile(times, 0.95), findings };
}

/** Size of the checking code as the browser would load it: one minified ES module. */
export async function engineSize(): Promise<{
	raw: number;
	gzip: number;
	brotli: number;
	code: string;
}> {
	const result = await build({
		stdin: {
			contents:
				"export { checkText, rules } from './src/lib/doctor/index.ts';\nexport { linkFor, findingsMarkdown } from './src/lib/doctor/links.ts';",
			resolveDir: process.cwd(),
			loader: 'ts',
		},
		bundle: true,
		minify: true,
		format: 'esm',
		platform: 'browser',
		write: false,
	});
	const code = result.outputFiles[0]?.contents ?? new Uint8Array();
	return {
		code: new TextDecoder().decode(code),
		raw: code.length,
		gzip: gzipSync(code, { level: 9 }).length,
		brotli: brotliCompressSync(code).length,
	};
}
