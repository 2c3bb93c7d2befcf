import { defineConfig } from '@playwright/test';
import { launchOptions } from './e2e/browser';
import { normaliseBase } from './src/site.config';

const port = Number(process.env['E2E_PORT'] ?? 4321);
const base = normaliseBase(process.env['SITE_BASE']);
const external = process.env['E2E_BASE_URL'];
const preview = `http://localhost:${port}${base}`;
/**
 * `npm test` starts the production nginx, and the whole suite runs against it: what readers of
 * the deployed guide get, the tests of what the server decides (tagged @server) included, in one
 * pass. The preview server that `npm start` runs gets the smoke tests tagged @preview (search
 * with its WebAssembly, the 404 page). Against the preview server alone, the @server tests that
 * only nginx can answer skip (e2e/site.ts). One pass instead of two saved about 60 CPU-s a run.
 */
const nginx = process.env['E2E_NGINX_URL'];

/** The suite runs against the built site: the preview server by default, or any server via E2E_BASE_URL. */
export default defineConfig({
	testDir: 'e2e',
	fullyParallel: true,
	forbidOnly: !!process.env['CI'],
	// One retry on CI: a test that fails twice fails the run; one that passes on retry is named in the summary.
	retries: process.env['CI'] ? 1 : 0,
	// Several tests walk every page of the site on a two-core machine.
	timeout: 120_000,
	// Two cores run the server, two browsers and axe at once; give assertions room.
	expect: { timeout: 10_000 },
	workers: 2,
	// Playwright empties its output folder when it starts; `npm test` writes the other runners'
	// reports into test-results/ beside the browsers, so Playwright gets a folder of its own.
	outputDir: 'test-results/playwright',
	reporter: [
		['list'],
		['json', { outputFile: process.env['E2E_REPORT'] ?? 'test-results/e2e.json' }],
	],
	projects: nginx
		? [
				{ name: 'site', use: { baseURL: nginx }, metadata: { server: 'nginx' } },
				{ name: 'preview', grep: /@preview/, use: { baseURL: preview } },
			]
		: [{ name: 'site', ...(external ? { metadata: { server: 'external' } } : {}) }],
	use: {
		baseURL: external ?? preview,
		launchOptions: launchOptions(),
		browserName: 'chromium',
		// Each test is a fresh browser; a worker precaching the whole site on every visit would only
		// slow the suite down. The offline tests allow it explicitly.
		serviceWorkers: 'block',
	},
	...(external
		? {}
		: {
				webServer: {
					command: `npx astro preview --port ${port}`,
					url: preview,
					reuseExistingServer: !process.env['CI'],
					env: { ASTRO_TELEMETRY_DISABLED: '1' },
				},
			}),
});
