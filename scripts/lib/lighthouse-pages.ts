/**
 * What the benchmark measures with Lighthouse. Lighthouse itself is not in the main install: the
 * benchmark installs it into scripts/lighthouse/ on first use (see loadLighthouse).
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** One page of each kind, as the production nginx config serves it. */
export const lighthousePages = [
	['home', ''],
	['guide', 'istio/install/'],
	['FAQ', 'faq/'],
	['decision tree', 'decide/tree/'],
	['comparison', 'decide/compare/'],
	// Lighthouse refuses to audit a 404 response, so the 404 page is measured at its own URL.
	['404', '404.html'],
] as const;

export interface LighthouseRow {
	kind: string;
	/** Set when Lighthouse could not measure the page (for example on an overloaded machine). */
	error?: string;
	scores: Record<'performance' | 'accessibility' | 'best-practices' | 'seo', number>;
	lcp: number;
	tbt: number;
	cls: number;
}

/** Runs per page; the row reports the median run. */
export const runsPerPage = 3;

/** The Lighthouse runner, installed from scripts/lighthouse/package-lock.json the first time. */
export async function loadLighthouse(): Promise<(base: string) => Promise<LighthouseRow[]>> {
	const dir = 'scripts/lighthouse';
	if (!existsSync(`${dir}/node_modules/lighthouse`)) {
		console.log(
			'installing Lighthouse for the benchmark (once) into scripts/lighthouse/node_modules'
		);
		const r = spawnSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], {
			stdio: 'inherit',
		});
		if (r.status !== 0) throw new Error(`npm ci --prefix ${dir} failed`);
	}
	// A path in a variable: the runner is type-checked only where Lighthouse is installed.
	const runner = `../lighthouse/run.ts`;
	const mod = (await import(runner)) as {
		runLighthouse: (base: string) => Promise<LighthouseRow[]>;
	};
	return mod.runLighthouse;
}
