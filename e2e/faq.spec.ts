import { expect, test, type Page } from '@playwright/test';
import { faqSources } from './site';

const entries = faqSources();

async function expectLanded(page: Page, id: string) {
	const entry = page.locator(`article.faq-entry:has(#${id})`);
	await expect(entry).toBeInViewport();
	const { top, headerBottom, shadow } = await entry.evaluate((el) => ({
		top: el.getBoundingClientRect().top,
		headerBottom: document.querySelector('.site-header')?.getBoundingClientRect().bottom ?? 0,
		shadow: getComputedStyle(el).boxShadow,
	}));
	expect(top, `${id} is below the sticky header`).toBeGreaterThanOrEqual(headerBottom);
	expect(shadow, `${id} is highlighted`).not.toBe('none');
}

for (const width of [360, 1280]) {
	test.describe(`at ${width} px`, () => {
		test.use({ viewport: { width, height: width === 360 ? 740 : 900 } });

		// Landing is the browser's own scroll to the fragment and CSS (`:target`,
		// `scroll-margin`), so every answer is checked by following its fragment within the
		// list, and a cold load (where late layout above the answer could still move it) on the
		// first, middle and last answer of each list: the more list above an answer, the more
		// layout can move it, so the last is the hardest case. A cold load of the 200 KB list
		// costs one to two seconds here, a fragment a few milliseconds.
		for (const list of [...new Set(entries.map((e) => e.list))]) {
			const ids = entries.filter((e) => e.list === list).map((e) => e.id);
			test(`following /${list.replace(/^\//, '')}#id lands on each of its ${ids.length} answers`, async ({
				page,
			}) => {
				await page.goto(list);
				for (const id of ids) {
					await page.evaluate((id) => (location.hash = id), id);
					await expectLanded(page, id);
				}
			});
			const cold = [...new Set([0, Math.floor(ids.length / 2), ids.length - 1])].flatMap(
				(i) => ids[i] ?? []
			);
			test(`a cold load of ${list}#id lands on the answer, for ${cold.join(', ')}`, async ({
				page,
			}) => {
				for (const id of cold) {
					await page.goto('about:blank');
					await page.goto(`${list}#${id}`);
					await expectLanded(page, id);
				}
			});
		}

		test('a renamed id still lands on its answer through the alias', async ({ page }) => {
			await page.goto('faq/#linkerd-grafana');
			await expectLanded(page, 'viz-grafana');
		});
	});
}

test('the former per-answer URL forwards to the new one', async ({ page }) => {
	await page.goto('faq/linkerd-grafana/');
	await page.waitForURL(/\/faq\/viz-grafana\/$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		'Where is Grafana in linkerd viz?'
	);
});

test('in-page links land on the answer, and back returns', async ({ page }) => {
	await page.goto('faq/#mesh-some-namespaces');
	await page
		.locator('article.faq-entry:has(#mesh-some-namespaces)')
		.getByRole('link', { name: 'the STRICT question' })
		.click();
	await expect(page).toHaveURL(/#strict-mtls-unmeshed$/);
	await expectLanded(page, 'strict-mtls-unmeshed');
	await page.goBack();
	await expect(page).toHaveURL(/#mesh-some-namespaces$/);
	await expectLanded(page, 'mesh-some-namespaces');
});

test('a link from another page lands on the answer', async ({ page }) => {
	await page.goto('faq/viz-routes-empty/');
	await page.getByRole('link', { name: 'See this answer among all questions' }).click();
	await expectLanded(page, 'viz-routes-empty');
});

test.describe('copying', () => {
	test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

	test('copy link puts the absolute URL of the answer on the clipboard', async ({
		page,
		baseURL,
	}) => {
		await page.goto('faq/');
		await page
			.locator('article.faq-entry:has(#restart-pods)')
			.getByRole('button', { name: /Copy link/ })
			.click();
		// The link carries the answer's current revision, so a ticket can tell if it changes later.
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
			`${new URL('faq/restart-pods/', baseURL).href}?rev=1`
		);
		await expect(page.locator('#kb-announcer')).toHaveText('Link copied to the clipboard');
	});

	test('copy as Markdown gives the question as a link and the short answer', async ({
		page,
		baseURL,
	}) => {
		await page.goto('faq/');
		await page
			.locator('article.faq-entry:has(#default-deny)')
			.getByRole('button', { name: /Copy as Markdown/ })
			.click();
		const entry = entries.find((e) => e.id === 'default-deny');
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
			`[${entry?.question ?? ''}](${new URL('faq/default-deny/', baseURL).href}?rev=1)\n\n> ${entry?.summary ?? ''}\n`
		);
	});

	test('a heading permalink copies the section URL', async ({ page, baseURL }) => {
		await page.goto('istio/security/');
		await page.locator('.heading-wrap:has(#default-deny)').hover();
		await page.getByRole('link', { name: 'Permalink to “Default deny”' }).click();
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
			new URL('istio/security/#default-deny', baseURL).href
		);
	});
});

test('an unknown fragment leaves a working page', async ({ page }) => {
	await page.goto('faq/#no-such-question');
	await expect(
		page.getByRole('heading', { level: 1, name: 'Frequently asked questions' })
	).toBeVisible();
	await expect(page.locator('.faq-entry').first()).toBeVisible();
});

test('an unknown answer URL gives the 404 page', async ({ page }) => {
	const response = await page.goto('faq/no-such-question/');
	expect(response?.status()).toBe(404);
	await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
});

test('a renamed heading anchor lands on the section', async ({ page }) => {
	await page.goto('istio/security/#ambient-selector-pitfall');
	await expect(page.locator('#selector-l7-deny')).toBeInViewport();
});
