import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/**
 * What the tests' browser does without, since the suite keeps both cores busy with two browsers:
 * V8's background threads (concurrent compiling, marking and sweeping) cost more CPU than they
 * save when no core is idle, and a renderer process per test's context costs its start-up. On 40
 * pages of the crawl, renderer CPU fell by 12 to 20 % with V8 on one thread (three runs each);
 * on 77 tests of six specs, the suite's CPU fell by 3 to 9 % with one renderer process a browser.
 * Neither changes what a page does: the browser's threads and processes, not its behaviour.
 */
const testOnly = ['--js-flags=--single-threaded', '--renderer-process-limit=1'];

/**
 * Debian's Chromium when the machine has it (CI and air-gapped hosts cannot download
 * Playwright's own build); otherwise Playwright's own browser, so contributors elsewhere can run it.
 *
 * For tests, Debian's `chromium-headless-shell` comes first when installed: the same Chromium
 * release and the same Blink, built as the headless shell that Playwright itself runs for
 * headless tests. On this two-core machine it loads a page of the site for 0.58 CPU-s against
 * 1.31 CPU-s for `chromium --headless`, and the whole Playwright suite took 516 s (958 CPU-s)
 * against 820 s (1,615 CPU-s). `full` asks for the browser readers use, for figures reported as
 * what a reader gets (the search latency in `npm run bench`).
 */
export function launchOptions({ full = false }: { full?: boolean } = {}): LaunchOptions {
	const candidates = full
		? ['/usr/bin/chromium']
		: // The binary itself: Debian's /usr/bin/chromium-headless-shell wraps it in a shell without `exec`.
			['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'];
	const system = candidates.find((path) => existsSync(path));
	if (!system) return full ? {} : { args: testOnly };
	return {
		executablePath: system,
		args: [
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			...(full ? [] : testOnly),
		],
	};
}
