import { listPages, urlOfFile } from '../src/lib/dist-files.ts';
import { pageWeight } from '../src/lib/page-weight.ts';
import { normaliseBase } from '../src/site.config.ts';

/** Prints what each built page costs before interaction. Run after `npm run build`. */
const dist = 'dist';
const base = normaliseBase(process.env['SITE_BASE']);
const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);
const rows = listPages(dist).map((f) => pageWeight(dist, base, f, urlOfFile(f, base)));
console.log('Page weight (bytes as built, before compression; KB = 1024 bytes)');
console.log(
	`${'page'.padEnd(48)}${'HTML'.padStart(7)}${'CSS'.padStart(7)}${'JS'.padStart(7)}${'CSS+JS'.padStart(8)}  requests`
);
for (const r of rows) {
	console.log(
		`${r.page.padEnd(48)}${kb(r.html)}${kb(r.css)}${kb(r.js)}${kb(r.css + r.js).padStart(8)}  ${r.requests}`
	);
}
const max = (k: 'html' | 'css' | 'js' | 'requests') => Math.max(...rows.map((r) => r[k]));
console.log(
	`max: HTML ${kb(max('html'))} KB, CSS ${kb(max('css'))} KB, JS ${kb(max('js'))} KB, requests ${max('requests')}`
);
console.log('budgets: CSS+JS <= 30 KB, JS <= 12 KB per page (enforced by e2e/budgets.spec.ts)');
