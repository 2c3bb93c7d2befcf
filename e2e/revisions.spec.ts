import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, test } from '@playwright/test';
import { axe } from './axe';

/** An answer the second edition corrected: revision 1 is the text before, revision 2 the fix. */
const answer = 'faq/memory-cost/';

for (const scheme of ['light', 'dark'] as const) {
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
				await expect(notice).toContainText('revision 1 of 22 September 2026');
				await expect(notice).toContainText('this is revision 2 of 30 November 2026');
				await expect(notice).toContainText('Corrected: the reserved figures now include CPU');
				await notice.getByText('Show revision 1 and what changed').click();
				// The old text is there, with its removed words struck through.
				await expect(notice.locator('del', { hasText: '12.5' })).toBeVisible();
				await expect(notice.locator('ins', { hasText: '14.5' })).toBeVisible();
				await expect(notice.locator('.revision-diff')).toContainText(
					'Istio sidecars reserve about'
				);
				expect(
					await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
				).toBeLessThanOrEqual(0);
				expect(await axe(page)).toEqual([]);
			});

			for (const rev of ['2', '', 'abc', '999', '0', '-1'])
				test(`?rev=${rev || '(none)'} shows the answer with no notice and no error`, async ({
					page,
				}) => {
					const errors: string[] = [];
					page.on('pageerror', (e) => errors.push(e.message));
					const fetched: string[] = [];
					page.on('request', (r) => {
						if (r.url().includes('history.json')) fetched.push(r.url());
					});
					await page.goto(rev ? `${answer}?rev=${rev}` : answer);
					await expect(page.locator('h1')).toContainText('How much memory');
					await expect(page.locator('[data-revision-notice]')).toBeHidden();
					await page.waitForLoadState('networkidle');
					expect(fetched).toEqual([]);
					expect(errors).toEqual([]);
					expect(await axe(page)).toEqual([]);
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
	await expect(page.locator('.faq-meta')).toContainText('Revision 2, 30 November 2026');
	await page.getByRole('button', { name: /^Copy link/ }).click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
		/\/faq\/memory-cost\/\?rev=2$/
	);
	await page.getByRole('button', { name: /^Copy as Markdown/ }).click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(
		'/faq/memory-cost/?rev=2)'
	);
	await page.getByRole('link', { name: 'History of this answer' }).click();
	await expect(page).toHaveURL(/\/faq\/memory-cost\/history\/$/);
	await expect(page.getByRole('heading', { name: /^Revision 2/ })).toBeVisible();
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
		const rev2 = page.locator('#rev-2');
		await expect(rev2).toContainText('Corrected: the reserved figures now include CPU');
		await expect(rev2.locator('del').first()).toBeVisible();
		await expect(page.locator('#rev-1')).toContainText('First published.');
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

for (const h of histories.filter((x) => x.revisions.length > 1))
	test(`/faq/${h.id}/?rev=1 says what changed since revision 1`, async ({ page }) => {
		await page.goto(`faq/${h.id}/?rev=1`);
		const notice = page.getByRole('region', {
			name: 'This answer changed after your link was made',
		});
		await expect(notice).toContainText(h.revisions[h.revisions.length - 1]?.summary ?? '');
	});
