import type { AstroIntegration } from 'astro';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { listFiles } from '../lib/dist-files.ts';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Text files worth compressing. Pagefind's `.pagefind` and `.pf_*` files are already gzipped, and
 * images other than SVG are compressed formats of their own.
 */
const compressible = /\.(?:html|css|js|mjs|json|webmanifest|svg|xml|txt|md|ya?ml)$/;

/** Below this size a compressed copy saves less than the headers it adds (nginx's gzip_min_length). */
export const minBytes = 512;

export interface PrecompressReport {
	files: number;
	bytes: number;
	gzipBytes: number;
	brotliBytes: number;
}

/**
 * Writes `<file>.br` (brotli quality 10) and `<file>.gz` (gzip level 9) beside every text file
 * of a built site, for nginx's brotli_static and gzip_static: the server then sends bytes that were
 * compressed once, at build time, instead of compressing every response. A copy that would not be
 * smaller is not written, so nginx serves the file as it is.
 */
export async function precompress(dir: string): Promise<PrecompressReport> {
	const report: PrecompressReport = { files: 0, bytes: 0, gzipBytes: 0, brotliBytes: 0 };
	const files = listFiles(dir).filter((f) => compressible.test(f));
	// zlib runs on libuv's thread pool, so all files at once keep every core busy.
	await Promise.all(
		files.map(async (file) => {
			const path = join(dir, file);
			if ((await stat(path)).size < minBytes) return;
			const raw = await readFile(path);
			const [b, g] = await Promise.all([
				brotli(raw, {
					params: {
						// Quality 11 makes files 3 % smaller than 10 and takes twice as long.
						[constants.BROTLI_PARAM_QUALITY]: 10,
						[constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
						[constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
					},
				}),
				gz(raw, { level: constants.Z_BEST_COMPRESSION }),
			]);
			report.files++;
			report.bytes += raw.length;
			if (b.length < raw.length) {
				await writeFile(`${path}.br`, b);
				report.brotliBytes += b.length;
			}
			if (g.length < raw.length) {
				await writeFile(`${path}.gz`, g);
				report.gzipBytes += g.length;
			}
		})
	);
	return report;
}

/** Precompresses the built site. List it after every integration that writes files into it. */
export function precompressBuild(): AstroIntegration {
	return {
		name: 'kb:precompress',
		hooks: {
			'astro:build:done': async ({ dir, logger }) => {
				// The test runner's sub-path build is only read from disk (links, a static server):
				// compressed copies would cost half its build time for nothing.
				if (process.env['KB_PRECOMPRESS'] === '0') {
					logger.info('skipped: KB_PRECOMPRESS=0');
					return;
				}
				const start = performance.now();
				const r = await precompress(fileURLToPath(dir));
				const kb = (n: number) => `${Math.round(n / 1024)} KB`;
				logger.info(
					`precompressed ${r.files} files in ${((performance.now() - start) / 1000).toFixed(1)} s: ${kb(r.bytes)} → brotli ${kb(r.brotliBytes)}, gzip ${kb(r.gzipBytes)}`
				);
			},
		},
	};
}
