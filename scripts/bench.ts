import { spawn, spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { launchOptions } from '../e2e/browser.ts';
import { leaks, loadQueries, runSearchBenchmark, sets, summarise } from '../e2e/search-bench.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { readFrontmatter } from '../src/lib/frontmatter.ts';
import { listPages, urlOfFile } from '../src/lib/dist-files.ts';
import { pageWeight } from './lib/page-weight.ts';
import { normaliseBase } from '../src/site.config.ts';
import { findNginx, startNginx } from './lib/nginx.ts';
import { loadLighthouse, runsPerPage } from './lib/lighthouse-pages.ts';
import { benchServing } from './lib/serving-bench.ts';
import { firstVisitBudget, measureFirstVisit } from '../e2e/first-visit.ts';
import { benchText, engineSize, timeCheck } from './lib/doctor-bench.ts';

/**
 * `npm run bench` (after `npm run build`): page weight of every built page, what a first visit
 * costs with the offline copy, search quality and speed in headless Chromium against the preview
 * server (or E2E_BASE_URL), Lighthouse, then build time against page count (BENCH_BUILD=0 skips
 * that last part, which builds the site twice). `npm run bench -- --only search` runs the search
 * part alone (BENCH_SETS=a,b then prints only those sets' queries).
 */
const onlyIndex = process.argv.indexOf('--only');
const onlyPart = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
if (onlyPart !== undefined && onlyPart !== 'search')
	throw new Error(`npm run bench -- --only ${onlyPart}: the only part that runs alone is search`);
const searchOnly = onlyPart === 'search';
const dist = 'dist';
const base = normaliseBase(process.env['SITE_BASE']);
const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);

if (!searchOnly) {
	console.log('== Page weight (bytes as built, before compression; KB = 1024 bytes)');
	const rows = listPages(dist).map((f) => pageWeight(dist, base, f, urlOfFile(f, base)));
	console.log(
		`${'page'.padEnd(48)}${'HTML'.padStart(7)}${'CSS'.padStart(7)}${'JS'.padStart(7)}${'CSS+JS'.padStart(8)}  requests`
	);
	for (const r of rows) {
		console.log(
			`${r.page.padEnd(48)}${kb(r.html)}${kb(r.css)}${kb(r.js)}${kb(r.css + r.js).padStart(8)}  ${r.requests}`
		);
	}
	const max = (k: 'html' | 'css' | 'js' | 'requests') => Math.max(...rows.map((r) => r[k]));
	const maxTotal = Math.max(...rows.map((r) => r.css + r.js));
	console.log(
		`max: HTML ${kb(max('html'))} KB, CSS ${kb(max('css'))} KB, JS ${kb(max('js'))} KB, CSS+JS ${kb(maxTotal)} KB, requests ${max('requests')}`
	);
	console.log(
		'budgets: CSS+JS <= 30 KB, JS <= 12 KB per page (enforced by scripts/lib/page-weight.dist.test.ts and e2e/budgets.spec.ts)'
	);
}

console.log('\n== Config doctor (checkText in Node on the fixtures joined into one paste)');
{
	const text = benchText(500);
	const t = timeCheck(text);
	const size = await engineSize();
	console.log(
		`${text.split('\n').length} lines, ${t.findings} findings: median ${t.median.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms (target <= 200 ms)`
	);
	console.log(
		`checking code (esbuild, minified): ${kb(size.raw)} KB, gzip ${kb(size.gzip)} KB, brotli ${kb(size.brotli)} KB (budget <= 150 KB compressed)`
	);
}

async function withServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
	const external = process.env['E2E_BASE_URL'];
	if (external) return fn(external);
	// E2E_PORT keeps parallel runs on one machine apart, as the Playwright config does.
	const port = Number(process.env['E2E_PORT']) || 4400 + Math.floor(Math.random() * 200);
	const server = spawn('npx', ['astro', 'preview', '--port', String(port)], {
		env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	// Kept to explain a server that never answers (Astro refuses a second preview of one project).
	let said = '';
	server.stdout?.on('data', (b: Buffer) => (said += b.toString()));
	server.stderr?.on('data', (b: Buffer) => (said += b.toString()));
	const url = `http://localhost:${port}${base}`;
	try {
		// Astro's preview loads the whole config through Vite first: 20 s was not always enough here.
		let up = false;
		for (let i = 0; i < 300 && !up; i++) {
			try {
				up = (await fetch(url)).ok;
			} catch {
				// not up yet
			}
			if (!up) await new Promise((r) => setTimeout(r, 200));
		}
		if (!up)
			throw new Error(
				`npm run bench: the preview server did not answer at ${url} within 60 s. Run \`npm run build\` first, or set E2E_BASE_URL to a server of the built site. The server said:\n${said.split('\n').slice(0, 8).join('\n')}`
			);
		return await fn(url);
	} finally {
		try {
			if (server.pid) process.kill(-server.pid);
		} catch {
			// The server already exited (for example, the port was taken).
		}
	}
}

/** Targets per set: recall@1 and recall@3 on the queries the site can answer. */
const targets: Partial<Record<(typeof sets)[number], [number, number]>> = {
	typed: [0.74, 0.97],
	typo: [0.89, 1],
	error: [1, 1],
	'upstream-question': [0.85, 0.95],
	'upstream-error': [0.85, 0.95],
};
if (!searchOnly) {
	console.log(
		'\n== First visit (a fresh browser opens one page; every request until the offline line says it is saved, the worker included)'
	);
	{
		const browser = await chromium.launch(launchOptions({ full: true }));
		for (const page of ['', 'istio/install/', 'faq/']) {
			const v = await measureFirstVisit(browser, dist, base, page);
			console.log(
				`${(base + page).padEnd(24)}${String(v.requests).padStart(5)} requests ${kb(v.bytes)} KB  "${v.status}"`
			);
		}
		await browser.close();
		console.log(
			`budget: <= ${firstVisitBudget.requests} requests, <= ${kb(firstVisitBudget.bytes).trim()} KB (enforced by e2e/first-visit.spec.ts)`
		);
		const sw = readFileSync(`${dist}/sw.js`, 'utf8');
		const files = JSON.parse(/const FILES = (.*);/.exec(sw)?.[1] ?? '[]') as [
			string,
			string,
			number,
		][];
		const whole = files.reduce((n, f) => n + f[2], 0);
		console.log(`"Save the whole guide": ${files.length} files, ${kb(whole).trim()} KB`);
	}
}

console.log('\n== Search (headless Chromium, warm index, keystroke to rendered results)');
const queries = loadQueries();
const asked = readdirSync('content/faq')
	.filter((f) => f.endsWith('.mdx'))
	.map((f) => {
		const fm = readFrontmatter(readFileSync(`content/faq/${f}`, 'utf8'));
		return { id: String(fm['id']), asked: (fm['asked'] as string[] | undefined) ?? [] };
	});
for (const leak of leaks(queries, asked))
	console.log(`LEAK: held-out query quoted by ${leak.id}'s asked: ${leak.q}`);
await withServer(async (url) => {
	const browser = await chromium.launch(launchOptions({ full: true }));
	const page = await browser.newPage({ baseURL: url });
	const results = await runSearchBenchmark(page, queries, base);
	const only = process.env['BENCH_SETS']?.split(',');
	for (const r of results) {
		if (only && !only.includes(r.set ?? 'typed')) continue;
		const mark =
			r.set === 'empty'
				? r.honestEmpty
					? ' ∅'
					: ' ✗'
				: r.answered === false
					? ' ?'
					: r.rank
						? ` ${r.rank}`
						: ' -';
		const miss = r.answered !== false && r.set !== 'empty' && r.rank !== 1;
		console.log(
			`${mark}  ${r.ms.toFixed(0).padStart(4)} ms  [${r.set ?? 'typed'}] ${r.q.slice(0, 110)}${r.ref ? `  (${r.ref})` : ''}${miss ? `\n        wanted ${String(r.expect)}; got ${r.hits.slice(0, 3).join(', ')}` : ''}`
		);
	}
	console.log('');
	for (const set of sets) {
		const s = summarise(results, set);
		const t = targets[set];
		console.log(
			set === 'empty'
				? `${set} (${s.n}): honest empty ${(s.honest * 100).toFixed(0)} % (target 100 %)`
				: `${set} (${s.n} answered${s.unanswered ? `, ${s.unanswered} not answered yet` : ''}): recall@1 ${s.recall1.toFixed(2)}, recall@3 ${s.recall3.toFixed(2)}${t ? ` (target >= ${t[0]} / ${t[1]})` : ''}; p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms`
		);
	}
	const all = summarise(results);
	console.log(
		`all ${results.length} queries: keystroke to results p50 ${all.p50.toFixed(0)} ms, p95 ${all.p95.toFixed(0)} ms (target p95 <= 60 ms)`
	);
	const missing = new Map<string, string[]>();
	for (const r of results.filter((x) => x.answered === false))
		missing.set(r.topic ?? '?', [...(missing.get(r.topic ?? '?') ?? []), r.ref ?? r.q]);
	if (missing.size > 0) {
		console.log('answers the site does not have yet (topic: upstream issues):');
		for (const [topic, refs] of missing) console.log(`  ${topic}: ${refs.join(', ')}`);
	}
	await browser.close();
});

if (searchOnly) process.exit(0);

console.log(
	"\n== Serving: requests per second from the repository's nginx configuration, on loopback"
);
const nginxForLoad = findNginx();
if (nginxForLoad) await benchServing(nginxForLoad, dist);
else console.log('skipped: nginx is not installed (apt-get install nginx)');

console.log(
	`\n== Lighthouse (mobile preset, median of ${runsPerPage} runs) behind the repository's nginx configuration`
);
// BENCH_LIGHTHOUSE=0 skips this part (minutes) when only page weight and search are wanted.
const nginx = process.env['BENCH_LIGHTHOUSE'] === '0' ? undefined : findNginx();
const server = nginx ? startNginx(nginx, dist, 8090) : undefined;
if (!server) {
	console.log('skipped: nginx is not installed (apt-get install nginx), or BENCH_LIGHTHOUSE=0');
} else {
	try {
		const runLighthouse = await loadLighthouse();
		const rows = await runLighthouse(server.url);
		console.log(
			`${'page'.padEnd(16)}${'perf'.padStart(6)}${'a11y'.padStart(6)}${'best'.padStart(6)}${'seo'.padStart(6)}${'LCP'.padStart(9)}${'TBT'.padStart(8)}${'CLS'.padStart(7)}`
		);
		for (const r of rows) {
			if (r.error) {
				console.log(`${r.kind.padEnd(16)}not measured: ${r.error}`);
				continue;
			}
			const s = r.scores;
			console.log(
				`${r.kind.padEnd(16)}${String(s.performance).padStart(6)}${String(s.accessibility).padStart(6)}${String(s['best-practices']).padStart(6)}${String(s.seo).padStart(6)}${`${(r.lcp / 1000).toFixed(2)} s`.padStart(9)}${`${Math.round(r.tbt)} ms`.padStart(8)}${r.cls.toFixed(3).padStart(7)}`
			);
		}
		console.log('target: 100 in all four categories on every page kind');
	} finally {
		server.stop();
	}
}

if (process.env['BENCH_BUILD'] !== '0') {
	console.log(
		'\n== Build time against page count (the guide, then every page copied three times over)'
	);
	spawnSync(process.execPath, ['scripts/bench-build.ts'], { stdio: 'inherit' });
}
