import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { precompress } from './precompress.ts';

describe('precompress', () => {
	it('writes brotli and gzip copies of text files that decode to the file, and nothing else', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'kb-precompress-'));
		mkdirSync(join(dir, 'istio/install'), { recursive: true });
		mkdirSync(join(dir, 'pagefind/index'), { recursive: true });
		const page = Buffer.from(
			`<!doctype html><p>${'Istio ambient mode: ztunnel. '.repeat(200)}</p>`
		);
		writeFileSync(join(dir, 'istio/install/index.html'), page);
		writeFileSync(join(dir, 'llms.txt'), 'x'.repeat(2000));
		writeFileSync(join(dir, 'tiny.css'), 'a{}');
		// Pagefind's files are gzip already; a second compression would only cost CPU.
		writeFileSync(join(dir, 'pagefind/index/en_1.pf_index'), gzipSync('y'.repeat(5000)));
		writeFileSync(join(dir, 'pagefind/wasm.en.pagefind'), gzipSync('z'.repeat(5000)));

		const report = await precompress(dir);

		const html = join(dir, 'istio/install/index.html');
		expect(brotliDecompressSync(readFileSync(`${html}.br`)).equals(page)).toBe(true);
		expect(gunzipSync(readFileSync(`${html}.gz`)).equals(page)).toBe(true);
		expect(existsSync(join(dir, 'llms.txt.br'))).toBe(true);
		for (const skipped of [
			'tiny.css',
			'pagefind/index/en_1.pf_index',
			'pagefind/wasm.en.pagefind',
		]) {
			expect(existsSync(join(dir, `${skipped}.br`)), skipped).toBe(false);
			expect(existsSync(join(dir, `${skipped}.gz`)), skipped).toBe(false);
		}
		expect(report.files).toBe(2);
		expect(report.bytes).toBe(page.length + 2000);
		expect(report.brotliBytes).toBeLessThan(report.gzipBytes);
		expect(report.gzipBytes).toBeLessThan(report.bytes / 5);
	});
});
