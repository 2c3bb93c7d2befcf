import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

/**
 * Debian's Chromium when the machine has it (CI and air-gapped hosts cannot download
 * Playwright's own build); otherwise Playwright's browser, so contributors elsewhere can run it.
 */
export function launchOptions(): LaunchOptions {
	const system = '/usr/bin/chromium';
	if (!existsSync(system)) return {};
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
