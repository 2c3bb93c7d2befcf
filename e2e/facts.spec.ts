import { expect, test, type Page } from '@playwright/test';
import { axe, colourRules } from './axe';
import { loadFacts } from '../src/lib/facts';

// What the pages must show comes from the facts themselves, so rewording one fails no test here.
const facts = new Map(loadFacts().map((f) => [f.id, f]));
const fact = (id: string) => {
	const f = facts.get(id);
	if (!f) throw new Error(`e2e/facts.spec.ts: no fact ${id} in content/facts`);
	return f;
};
/** The releases a fact holds for, as shown after the project's name (`linkerd edge-26.8.3`). */
const releases = (id: string) => {
	const holds = (fact(id).holds ?? []).map((h) => h.split(' ').slice(1).join(' '));
	if (!holds.length) throw new Error(`e2e/facts.spec.ts: fact ${id} names no release it holds for`);
	return holds;
};

/**
 * The crawl audits every page at desktop width, all rules in the dark theme and the colour rules
 * in the light one (the themes differ only in colours). What the phone width adds is layout:
 * all rules in one theme, the colour rules in the other. These two pages are the slowest to audit.
 */
const phoneAudit = (scheme: 'light' | 'dark') => (scheme === 'light' ? { rules: colourRules } : {});

/**
 * The page fits the width (no horizontal scroll of the page itself: the tables wrap or scroll
 * inside), a screenshot is kept for review, and at phone width axe passes (phoneAudit).
 */
async function fitsAndPasses(page: Page, name: string, width: number, scheme: 'light' | 'dark') {
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
		width
	);
	await page.screenshot({ path: `test-results/facts-${name}-${width}-${scheme}.png` });
	if (width === 360) expect(await axe(page, phoneAudit(scheme))).toEqual([]);
}

// At desktop width the crawl already audits both pages in both themes, and what these tests read
// does not change with the theme: one theme there. At phone width each theme gets its audit.
const combos = [
	[360, 'light'],
	[360, 'dark'],
	[1280, 'dark'],
] as const;
for (const [width, scheme] of combos) {
	test.describe(`at ${width} px, ${scheme} theme`, () => {
		test.use({ viewport: { width, height: width === 360 ? 740 : 900 }, colorScheme: scheme });

		test('a page states facts with evidence links and counts them in its footer', async ({
			page,
		}) => {
			await page.goto('reference/defaults/');
			const retries = page.locator('[data-fact="istio-default-retry-attempts"]');
			await expect(retries).toContainText(fact('istio-default-retry-attempts').statement);
			const link = retries.locator('a.fact-evidence');
			await expect(link).toHaveAttribute(
				'href',
				/^https:\/\/github\.com\/istio\/istio\/blob\/1\.31\.0-rc\.0\/pilot\/pkg\/networking\/core\/route\/retry\/retry\.go#L\d+$/
			);
			await expect(page.locator('.fact-count')).toContainText(/\d+ of the \d+ facts on this page/);
			await fitsAndPasses(page, 'defaults', width, scheme);
		});

		test('the facts page lists every fact under a stable anchor, with holds and evidence', async ({
			page,
		}) => {
			await page.goto('reference/facts/#linkerd-edge-26-8-3-gateway-api-install-hint');
			const entry = page.locator('#linkerd-edge-26-8-3-gateway-api-install-hint');
			await expect(entry).toBeInViewport();
			const hint = fact('linkerd-edge-26-8-3-gateway-api-install-hint');
			await expect(entry).toContainText(hint.statement);
			await expect(entry).toContainText('Holds for');
			for (const r of releases(hint.id)) await expect(entry).toContainText(r);
			await expect(entry.locator('dd a').first()).toHaveAttribute(
				'href',
				/linkerd\/linkerd2\/blob\/edge-26\.8\.3\/pkg\/healthcheck\/healthcheck\.go#L\d+/
			);
			for (const r of releases('linkerd-2-20-gateway-api-install-hint'))
				await expect(page.locator('#linkerd-2-20-gateway-api-install-hint')).toContainText(r);
			expect(await page.locator('.facts li[id]').count()).toBeGreaterThan(60);
			await fitsAndPasses(page, 'page', width, scheme);
		});
	});
}

test('evidence links are plain links: the facts page runs no script of its own', async ({
	page,
}) => {
	const scripts: string[] = [];
	page.on('request', (r) => {
		if (r.resourceType() === 'script') scripts.push(r.url());
	});
	await page.goto('reference/facts/');
	await page.goto('reference/defaults/');
	// Whatever the site loads on every page is fine; nothing is named after facts.
	expect(scripts.filter((s) => /fact/i.test(s))).toEqual([]);
});
