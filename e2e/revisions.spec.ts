import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, test } from '@playwright/test';
import { axe, colourRules } from './axe';

/** An answer the second edition corrected; what its notice says comes from its history file. */
const answer = 'faq/memory-cost/';
const history = parse(readFileSync('content/faq/memory-cost.history.yaml', 'utf8')) as {
	revisions: { rev: number; date: Date | string; summary: string; text: string }[];
};
const first = history.revisions[0];
const latest = history.revisions.at(-1);
if (!first || !latest || latest.rev < 2 || !/^# /m.test(latest.text))
	throw new Error('e2e/revisions.spec.ts: faq/memory-cost needs at least two revisions');
const longDate = (d: Date | string) =>
	new Date(d).toLocaleDateString('en-GB', {
		day: 'numeric',
		month: 'long',
		year: 'numeric',
		timeZone: 'UTC',
	});
const question = latest.text.match(/^# (.+)$/m)?.[1] ?? '';
/** The short answer of revision 1 (its `> ` line), whose opening words the diff shows. */
const oldOpening = (first.text.match(/^> (.+)$/m)?.[1] ?? '').split(/(?<=\.) /)[0] ?? '';

for (const scheme of ['light', 'dark'] as const) {
	// The themes differ only in colours (crawl.spec.ts holds the CSS to that): all rules in the
	// dark theme, the colour rules in the light one.
	const themed = scheme === 'light' ? { rules: colourRules } : {};
	for (const width of [360, 1280]) {
		test.describe(`answer revisions, ${scheme}, ${width} px`, () => {
			test.beforeEach(async ({ page }) => {
				await page.emulateMedia({ colorScheme: scheme });
				await page.setViewportSize({ width, height: 900 });
			});

			test('a link made at revision 1 says what changed, with the old text and a diff', async ({
				page,
			}) => {
				await page.goto(`${answer}?rev=1`);
				const notice = page.getByRole('region', {
					name: 'This answer changed after your link was made',
				});
				await expect(notice).toBeVisible();
				await expect(notice).toContainText(`revision 1 of ${longDate(first.date)}`);
				await expect(notice).toContainText(
					`this is revision ${latest.rev} of ${longDate(latest.date)}`
				);
				await expect(notice).toContainText(latest.summary);
				await notice.getByText('Show revision 1 and what changed').click();
				// The old text is there, with its removed words struck through and the new ones marked.
				await expect(notice.locator('del').first()).toBeVisible();
				await expect(notice.locator('ins').first()).toBeVisible();
				expect(oldOpening.length).toBeGreaterThan(3);
				await expect(notice.locator('.revision-diff')).toContainText(oldOpening);
				expect(
					await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
				).toBeLessThanOrEqual(0);
				expect(await axe(page, themed)).toEqual([]);
			});

			// One page walks the six addresses: a fresh context each cost more than the checks. What
			// it checks does not change with the theme, and the crawl audits the answer page at
			// desktop width in both themes: at 1280 px it runs in the dark theme only.
			if (scheme === 'dark' || width === 360)
				test('?rev= the latest, none, abc, 999, 0 and -1 show the answer with no notice and no error', async ({
					page,
				}) => {
					const errors: string[] = [];
					page.on('pageerror', (e) => errors.push(e.message));
					const fetched: string[] = [];
					page.on('request', (r) => {
						if (r.url().includes('history.json')) fetched.push(r.url());
					});
					// axe runs on each different rendering: an address that leaves the page exactly as the
					// first one drew it has nothing new to audit.
					const audited = new Set<string>();
					for (const rev of [String(latest.rev), '', 'abc', '999', '0', '-1']) {
						const at = `?rev=${rev || '(none)'}`;
						await page.goto(rev ? `${answer}?rev=${rev}` : answer);
						await expect(page.locator('h1'), at).toContainText(question);
						await expect(page.locator('[data-revision-notice]'), at).toBeHidden();
						await page.waitForLoadState('networkidle');
						expect(fetched, at).toEqual([]);
						expect(errors, at).toEqual([]);
						const drawn = await page.evaluate(() => document.body.outerHTML);
						if (!audited.has(drawn)) expect(await axe(page, themed), at).toEqual([]);
						audited.add(drawn);
					}
				});
		});
	}
}

test('the answer page shows its revision and links its history; copied links carry the revision', async ({
	page,
	context,
}) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto(answer);
	await expect(page.locator('.faq-meta')).toContainText(
		`Revision ${latest.rev}, ${longDate(latest.date)}`
	);
	await page.getByRole('button', { name: /^Copy link/ }).click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
		new RegExp(`/faq/memory-cost/\\?rev=${latest.rev}$`)
	);
	await page.getByRole('button', { name: /^Copy as Markdown/ }).click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(
		`/faq/memory-cost/?rev=${latest.rev})`
	);
	await page.getByRole('link', { name: 'History of this answer' }).click();
	await expect(page).toHaveURL(/\/faq\/memory-cost\/history\/$/);
	await expect(
		page.getByRole('heading', { name: `Revision ${latest.rev}`, exact: false })
	).toBeVisible();
	await expect(page.getByRole('heading', { name: /^Revision 1/ })).toBeVisible();
	expect(await axe(page)).toEqual([]);
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('every answer links its history page, which shows each revision and its changes', async ({
		page,
	}) => {
		await page.goto(`${answer}?rev=1`);
		await page.getByRole('link', { name: 'History of this answer' }).click();
		const newest = page.locator(`#rev-${latest.rev}`);
		await expect(newest).toContainText(latest.summary);
		await expect(newest.locator('del').first()).toBeVisible();
		await expect(page.locator('#rev-1')).toContainText(first.summary);
	});
});

/** Every answer with its revisions, read from the histories beside the answers. */
const histories = readdirSync('content/faq')
	.filter((f) => f.endsWith('.history.yaml'))
	.map(
		(f) =>
			parse(readFileSync(`content/faq/${f}`, 'utf8')) as {
				id: string;
				revisions: { rev: number; summary: string }[];
			}
	);

const revised = histories.filter((x) => x.revisions.length > 1);
for (let from = 0; from < revised.length; from += 8) {
	const group = revised.slice(from, from + 8);
	test(`?rev=1 says what changed since revision 1, on revised answers ${from + 1} to ${from + group.length} of ${revised.length}`, async ({
		page,
	}) => {
		for (const h of group) {
			await page.goto(`faq/${h.id}/?rev=1`);
			const notice = page.getByRole('region', {
				name: 'This answer changed after your link was made',
			});
			await expect(notice, `/faq/${h.id}/?rev=1`).toContainText(
				h.revisions[h.revisions.length - 1]?.summary ?? ''
			);
		}
	});
}
