import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

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
	if (!system) return {};
	return {
		executablePath: system,
		args: [
			'--no-sandbox',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
		],
	};
}
