import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findNginx, startNginx } from './lib/nginx.ts';

/**
 * The README's one test command: typecheck, lint, unit tests, the production build, link checks
 * (root and sub-path builds) and the Playwright suite with the axe sweep. Every step runs even
 * after a failure, so one run reports everything; the last line sums all suites.
 *
 * The browsers are the long pole (about three quarters of the time), so they start as soon as
 * the root build exists. Lint, format and unit tests start beside the build at full priority.
 * The rest runs beside the browsers at a lower CPU priority (`nice`), so it fills the cycles the
 * browsers leave instead of slowing them: the other Astro steps in one lane (sub-path build,
 * typecheck, content tests: they share `.astro/`), and the checks that read the builds in another. A step's output is printed whole
 * when it ends, between the Playwright lines.
 */

/**
 * The build and the code checks that start beside it keep full priority: they end in about a
 * minute, before most of the browser work. At nice 10 beside two browsers a test gets a tenth of
 * a core or less, and a 1.5 s unit test once passed its 60 s timeout in CI.
 */
const fullPriority = new Set(['build', 'lint', 'format', 'unit']);
/** What runs at nice 10 beside the browsers may be 20 to 50 times slower than alone (vitest.config.ts). */
const lowPriority = { KB_LOW_PRIORITY: '1' };

interface Tally {
	passed: number;
	failed: number;
}
const total: Tally = { passed: 0, failed: 0 };
const failures: string[] = [];
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };

function run(
	name: string,
	cmd: string,
	args: string[],
	extraEnv: Record<string, string> = {},
	live = false
): Promise<boolean> {
	const head = `\n=== ${name}: ${cmd} ${args.join(' ')}`;
	const start = performance.now();
	if (live) console.log(head);
	// See the top of this file for who runs at which priority.
	const [file, argv] =
		live || fullPriority.has(name) ? [cmd, args] : ['nice', ['-n', '10', cmd, ...args]];
	const child = spawn(file, argv, {
		stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
		env: { ...env, ...extraEnv },
	});
	const out: Buffer[] = [];
	child.stdout?.on('data', (b: Buffer) => out.push(b));
	child.stderr?.on('data', (b: Buffer) => out.push(b));
	return new Promise((resolve) => {
		child.on('close', (code) => {
			const seconds = ((performance.now() - start) / 1000).toFixed(0);
			if (!live) process.stdout.write(`${head}\n${Buffer.concat(out).toString()}`);
			console.log(`=== ${name}: ${code === 0 ? 'ok' : `exit ${code}`} in ${seconds} s`);
			resolve(code === 0);
		});
		child.on('error', (e) => {
			console.log(`${head}\n${e.message}`);
			resolve(false);
		});
	});
}

/** A step that is one check: it passes or fails as a whole. */
async function step(
	name: string,
	cmd: string,
	args: string[],
	extraEnv?: Record<string, string>
): Promise<boolean> {
	const ok = await run(name, cmd, args, extraEnv);
	if (ok) total.passed++;
	else {
		total.failed++;
		failures.push(name);
	}
	return ok;
}

/** A test runner step: counts come from its JSON report, and a crash without a report is one failure. */
async function suite(
	name: string,
	cmd: string,
	args: string[],
	report: string,
	read: (json: unknown) => Tally,
	extraEnv?: Record<string, string>,
	live = false
) {
	rmSync(report, { force: true });
	const ok = await run(name, cmd, args, extraEnv, live);
	if (!existsSync(report)) {
		total.failed++;
		failures.push(`${name} (no report)`);
		return;
	}
	const t = read(JSON.parse(readFileSync(report, 'utf8')));
	total.passed += t.passed;
	total.failed += t.failed;
	if (t.failed > 0 || !ok) failures.push(name);
	if (!ok && t.failed === 0) total.failed++;
}

/** Names of tests that failed or passed only on retry, with the first line of their error. */
const named: string[] = [];
const vitest = (j: unknown) => {
	const r = j as {
		numPassedTests: number;
		numFailedTests: number;
		testResults: {
			name: string;
			assertionResults: { status: string; fullName: string; failureMessages: string[] }[];
		}[];
	};
	for (const file of r.testResults)
		for (const a of file.assertionResults)
			if (a.status === 'failed')
				named.push(
					`FAILED: ${file.name} ${a.fullName}: ${(a.failureMessages[0] ?? '').split('\n')[0]}`
				);
	return { passed: r.numPassedTests, failed: r.numFailedTests };
};
interface PwSuite {
	title: string;
	suites?: PwSuite[];
	specs?: {
		title: string;
		file: string;
		line: number;
		tests: { status: string; results: { error?: { message?: string } }[] }[];
	}[];
}
const playwright = (j: unknown) => {
	const r = j as {
		stats: { expected: number; unexpected: number; flaky: number };
		suites: PwSuite[];
	};
	const walk = (s: PwSuite, path: string[]) => {
		for (const spec of s.specs ?? [])
			for (const t of spec.tests)
				if (t.status === 'unexpected' || t.status === 'flaky') {
					const msg = t.results.find((x) => x.error)?.error?.message ?? '';
					const lines = msg
						.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
						.split('\n');
					// What the page showed instead is the first thing to know about a failure seen only in CI.
					const first = [lines[0], lines.find((l) => /^\s*Received/.test(l))?.trim()]
						.filter(Boolean)
						.join(' / ')
						.slice(0, 400);
					named.push(
						`${t.status === 'flaky' ? 'flaky (passed on retry)' : 'FAILED'}: ${spec.file}:${spec.line} ${[...path, spec.title].join(' › ')}: ${first}`
					);
				}
		for (const c of s.suites ?? []) walk(c, [...path, c.title]);
	};
	// The top-level suites are the spec files, already named by spec.file.
	for (const s of r.suites) walk(s, []);
	return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected };
};

const sub = '/docs/mesh/';
// The one browser test that reads the sub-path build waits for this file (e2e/offline.spec.ts).
const subpathDone = 'test-results/subpath-build.done';
rmSync(subpathDone, { force: true });
rmSync('dist-subpath', { recursive: true, force: true });

async function browsers() {
	// The suite runs behind the production web server, as readers get the guide: the tests of what
	// the server decides (tagged @server: headers, encodings, error pages, the service worker)
	// included. The preview server of `npm start` gets the @preview smoke tests (playwright.config.ts).
	const nginx = findNginx();
	const server = nginx ? startNginx(nginx, 'dist', 8089) : undefined;
	if (!nginx)
		console.log(
			'\n=== e2e: nginx is not installed (.ci/run installs it); the suite runs against the preview server'
		);
	else if (!server) {
		total.failed++;
		failures.push('nginx (did not start)');
	}
	await suite(
		server ? 'e2e (nginx, and the preview server for @preview tests)' : 'e2e (preview server)',
		'npx',
		['playwright', 'test'],
		'test-results/e2e.json',
		playwright,
		{ KB_SUBPATH_DONE: subpathDone, ...(server ? { E2E_NGINX_URL: server.url } : {}) },
		true
	);
	server?.stop();
}

/** The checks that read the root build. */
async function builtChecks() {
	await Promise.all([
		step('links', 'npx', ['node', 'scripts/check-links.ts', 'dist']),
		step('anchor registry', 'npx', ['node', 'scripts/anchors.ts', 'dist']),
	]);
	await step('html-validate', 'npx', [
		'html-validate',
		'--config',
		'.htmlvalidate.json',
		'dist/**/*.html',
	]);
	await suite(
		'built site',
		'npx',
		['vitest', 'run', '--project', 'dist', '--outputFile.json=test-results/dist.json'],
		'test-results/dist.json',
		vitest,
		lowPriority
	);
}

// Lint, format and unit tests need no build: they start beside it.
const lanes: Promise<unknown>[] = [
	(async () => {
		await step('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
		await step('format', 'npx', ['prettier', '--check', '.']);
		await suite(
			'unit',
			'npx',
			['vitest', 'run', '--project', 'unit'],
			'test-results/unit.json',
			vitest
		);
	})(),
];
const root = await step('build', 'npx', ['astro', 'build']);
if (root) lanes.push(browsers(), builtChecks());
lanes.push(
	(async () => {
		// Only its links and one offline test read the sub-path build, both from disk: no compressed copies.
		const subpath = await step(
			'build (sub-path)',
			'npx',
			['astro', 'build', '--outDir', 'dist-subpath'],
			{
				SITE_BASE: sub,
				KB_PRECOMPRESS: '0',
			}
		);
		mkdirSync('test-results', { recursive: true });
		writeFileSync(subpathDone, subpath ? 'ok\n' : 'failed\n');
		const subLinks = subpath
			? step('links (sub-path)', 'npx', ['node', 'scripts/check-links.ts', 'dist-subpath'], {
					SITE_BASE: sub,
				})
			: Promise.resolve(false);
		await step('typecheck', 'npx', ['astro', 'check', '--minimumSeverity', 'warning']);
		// In this lane: its `astro sync` of a broken content tree writes `.astro/` too.
		await suite(
			'content',
			'npx',
			['vitest', 'run', '--project', 'content', '--outputFile.json=test-results/content.json'],
			'test-results/content.json',
			vitest,
			lowPriority
		);
		await subLinks;
	})()
);
await Promise.all(lanes);

if (named.length) console.log(`\n${named.join('\n')}`);
if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
