import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { findNginx, startNginx } from './lib/nginx.ts';

/**
 * The README's one test command: typecheck, lint, unit tests, the production build, link checks
 * (root and sub-path builds) and the Playwright suite with the axe sweep. Every step runs even
 * after a failure, so one run reports everything; the last line sums all suites.
 */

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
	extraEnv: Record<string, string> = {}
): boolean {
	console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
	const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, ...extraEnv } });
	return r.status === 0;
}

/** A step that is one check: it passes or fails as a whole. */
function step(name: string, cmd: string, args: string[], extraEnv?: Record<string, string>) {
	const ok = run(name, cmd, args, extraEnv);
	if (ok) total.passed++;
	else {
		total.failed++;
		failures.push(name);
	}
	return ok;
}

/** A test runner step: counts come from its JSON report, and a crash without a report is one failure. */
function suite(
	name: string,
	cmd: string,
	args: string[],
	report: string,
	read: (json: unknown) => Tally,
	extraEnv?: Record<string, string>
) {
	rmSync(report, { force: true });
	const ok = run(name, cmd, args, extraEnv);
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
					const first = msg
						.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
						.split('\n')[0]
						?.slice(0, 200);
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

step('typecheck', 'npx', ['astro', 'check', '--minimumSeverity', 'warning']);
step('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
step('format', 'npx', ['prettier', '--check', '.']);
suite(
	'unit and content',
	'npx',
	['vitest', 'run', '--project', 'unit', '--project', 'content'],
	'test-results/unit.json',
	vitest
);

// The sub-path build first, into its own folder, so the root build in dist/ is what e2e serves.
const sub = '/docs/mesh/';
if (
	step('build (sub-path)', 'npx', ['astro', 'build', '--outDir', 'dist-subpath'], {
		SITE_BASE: sub,
	})
) {
	step('links (sub-path)', 'npx', ['node', 'scripts/check-links.ts', 'dist-subpath'], {
		SITE_BASE: sub,
	});
}
if (step('build', 'npx', ['astro', 'build'])) {
	step('links', 'npx', ['node', 'scripts/check-links.ts', 'dist']);
	step('anchor registry', 'npx', ['node', 'scripts/anchors.ts', 'dist']);
	step('html-validate', 'npx', [
		'html-validate',
		'--config',
		'.htmlvalidate.json',
		'dist/**/*.html',
	]);
	suite(
		'built site',
		'npx',
		['vitest', 'run', '--project', 'dist', '--outputFile.json=test-results/dist.json'],
		'test-results/dist.json',
		vitest
	);
	suite('e2e (preview server)', 'npx', ['playwright', 'test'], 'test-results/e2e.json', playwright);
	const nginx = findNginx();
	if (nginx) {
		const server = startNginx(nginx, 'dist', 8089);
		if (server) {
			// Behind the production web server, the tests of what the server decides (tagged @server):
			// headers, encodings, error pages, the service worker, CSP from headers. Page content and
			// behaviour do not depend on the server and ran above.
			suite(
				'e2e (nginx)',
				'npx',
				['playwright', 'test', '--grep', '@server'],
				'test-results/e2e-nginx.json',
				playwright,
				{ E2E_BASE_URL: server.url, E2E_REPORT: 'test-results/e2e-nginx.json' }
			);
			server.stop();
		} else {
			total.failed++;
			failures.push('nginx (did not start)');
		}
	} else {
		console.log('\n=== e2e (nginx): skipped, nginx is not installed (.ci/run installs it)');
	}
}

if (named.length) console.log(`\n${named.join('\n')}`);
if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);
