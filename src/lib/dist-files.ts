import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under `dir`, as paths relative to it with forward slashes. */
export function listFiles(dir: string): string[] {
	const out: string[] = [];
	const walk = (d: string) => {
		for (const name of readdirSync(d)) {
			const full = join(d, name);
			if (statSync(full).isDirectory()) walk(full);
			else out.push(relative(dir, full).split(sep).join('/'));
		}
	};
	walk(dir);
	return out.sort();
}

/** Built HTML pages, skipping Pagefind's own files. */
export function listPages(dir: string): string[] {
	return listFiles(dir).filter((f) => f.endsWith('.html') && !f.startsWith('pagefind/'));
}

/** The URL path a built file is served at, e.g. `istio/install/index.html` → `/base/istio/install/`. */
export function urlOfFile(file: string, base: string): string {
	return base + file.replace(/(^|\/)index\.html$/, '$1');
}
