import { execFileSync, spawnSync } from 'node:child_process';
import {
	copyFileSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { launchOptions } from '../e2e/browser.ts';
import { measureFirstVisit } from '../e2e/first-visit.ts';

/**
 * Build time against page count: builds the guide as it is, then a generated site with every
 * page and answer copied three times over, in a scratch copy of the repository, and reports
 * seconds per page for the whole build and for each step after Pagefind, plus what a first visit
 * costs on each. Run by `npm run bench` (skip with BENCH_BUILD=0) or alone:
 * `node scripts/bench-build.ts`.
 */
const repo = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'kb-bench-build-'));

function copyRepository(to: string) {
	const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
		encoding: 'utf8',
	})
		.split('\n')
		.filter(Boolean);
	for (const f of files) {
		mkdirSync(dirname(join(to, f)), { recursive: true });
		try {
			copyFileSync(join(repo, f), join(to, f));
		} catch {
			// Deleted in the work tree but still listed by git.
		}
	}
	symlinkSync(join(repo, 'node_modules'), join(to, 'node_modules'));
}

/** Adds copies 2..times of every section page and every answer, with their own ids. */
function multiply(root: string, times: number) {
	const docs = join(root, 'content/docs');
	for (const section of readdirSync(docs, { withFileTypes: true })) {
		if (!section.isDirectory()) continue;
		for (const name of readdirSync(join(docs, section.name))) {
			if (!name.endsWith('.mdx') || name.includes('-copy')) continue;
			const text = readFileSync(join(docs, section.name, name), 'utf8');
			for (let k = 2; k <= times; k++)
				writeFileSync(join(docs, section.name, name.replace(/\.mdx$/, `-copy${k}.mdx`)), text);
		}
	}
	const faq = join(root, 'content/faq');
	for (const name of readdirSync(faq)) {
		if (!name.endsWith('.mdx') || name.includes('-copy')) continue;
		const id = name.slice(0, -'.mdx'.length);
		const text = readFileSync(join(faq, name), 'utf8');
		for (let k = 2; k <= times; k++) {
			writeFileSync(
				join(faq, `${id}-copy${k}.mdx`),
				text.replace(/^id: .*$/m, `id: ${id}-copy${k}`).replace(/^aliases:.*\n(?:\s+- .*\n)*/m, '')
			);
			copyFileSync(join(faq, `${id}.history.yaml`), join(faq, `${id}-copy${k}.history.yaml`));
		}
	}
}

interface BuildTimes {
	pages: number;
	seconds: number;
	steps: Record<string, number>;
}

function build(root: string): BuildTimes {
	rmSync(join(root, 'dist'), { recursive: true, force: true });
	const started = performance.now();
	const run = spawnSync('npx', ['astro', 'build'], {
		cwd: root,
		env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' },
		encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024,
	});
	const seconds = (performance.now() - started) / 1000;
	const log = run.stdout + run.stderr;
	if (run.status !== 0) throw new Error(`the build in ${root} failed:\n${log.slice(-4000)}`);
	const pages = Number(/(\d+) page\(s\) built/.exec(log)?.[1] ?? 0);
	const step = (re: RegExp) => Number(re.exec(log)?.[1] ?? NaN);
	return {
		pages,
		seconds,
		steps: {
			pagefind: step(/indexed \d+ pages into .* in ([\d.]+) s/),
			vocabulary: step(/search vocabulary: .* in ([\d.]+) s/),
			'service worker': step(/service worker \w+: .* in ([\d.]+) s/),
		},
	};
}

const fmt = (n: number) => n.toFixed(2).padStart(8);
try {
	copyRepository(scratch);
	const browser = await chromium.launch(launchOptions({ full: true }));
	console.log(
		`${'site'.padEnd(10)}${'pages'.padStart(6)}${'build s'.padStart(9)}${'s/page'.padStart(8)}${'pagefind'.padStart(9)}${'vocab'.padStart(8)}${'worker'.padStart(8)}${'1st visit'.padStart(11)}`
	);
	const rows: (BuildTimes & { label: string; visit: { requests: number; bytes: number } })[] = [];
	for (const [label, times] of [
		['guide', 1],
		['guide x3', 3],
	] as const) {
		if (times > 1) multiply(scratch, times);
		const t = build(scratch);
		const visit = await measureFirstVisit(browser, join(scratch, 'dist'), '/', 'istio/install/');
		const r = { label, ...t, visit };
		rows.push(r);
		console.log(
			`${r.label.padEnd(10)}${String(r.pages).padStart(6)}${fmt(r.seconds).slice(-9).padStart(9)}${(r.seconds / r.pages).toFixed(3).padStart(8)}${fmt(r.steps['pagefind'] ?? NaN).padStart(9)}${fmt(r.steps['vocabulary'] ?? NaN)}${fmt(r.steps['service worker'] ?? NaN)}  ${r.visit.requests} req ${(r.visit.bytes / 1024 / 1024).toFixed(2)} MB`
		);
	}
	await browser.close();
	const [one, three] = rows;
	if (one && three) {
		const after = (r: BuildTimes) =>
			(r.steps['vocabulary'] ?? 0) + (r.steps['service worker'] ?? 0);
		console.log(
			`pages x${(three.pages / one.pages).toFixed(2)}: build x${(three.seconds / one.seconds).toFixed(2)}, steps after Pagefind x${(after(three) / after(one)).toFixed(2)}, first-visit bytes x${(three.visit.bytes / one.visit.bytes).toFixed(2)} (linear: no factor well above the page factor)`
		);
	}
} finally {
	rmSync(scratch, { recursive: true, force: true });
}
