import { expect, test, type Page } from '@playwright/test';
import { axe, colourRules } from './axe';

/** Presses Tab until `target` has focus, as a keyboard-only reader would. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>) {
	for (let i = 0; i < 25; i++) {
		if (await target.evaluate((el) => el === document.activeElement)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error('could not reach the control with Tab');
}

// The themes differ only in colours (crawl.spec.ts holds the CSS to that): all rules in the
// dark theme, the colour rules in the light one.
const themed = (scheme: 'light' | 'dark') => (scheme === 'light' ? { rules: colourRules } : {});

for (const scheme of ['light', 'dark'] as const) {
	test.describe(`forgiving search, ${scheme} theme`, () => {
		test.beforeEach(async ({ page }) => {
			await page.emulateMedia({ colorScheme: scheme });
			await page.goto('./');
			await page.keyboard.press('/');
		});

		test('a typo is corrected, said so, and can be searched as typed', async ({ page }) => {
			const dialog = page.getByRole('dialog', { name: 'Search the guide' });
			await page.keyboard.type('linkred install');
			const notice = dialog.locator('.search-notice');
			await expect(notice).toContainText('Showing results for linkerd install');
			// The corrected words lead to a Linkerd page or answer, whatever its title says first.
			await expect(dialog.getByRole('option').first()).toContainText(/linkerd/i);
			await expect(dialog.getByRole('status')).toContainText('for linkerd install');
			expect(await axe(page, themed(scheme))).toEqual([]);

			const instead = notice.getByRole('button', { name: 'search instead for linkred install' });
			await tabTo(page, instead);
			await page.keyboard.press('Enter');
			await expect(notice).toBeHidden();
			await expect(dialog.getByRole('combobox')).toHaveValue('linkred install');
			await expect(dialog.getByRole('combobox')).toBeFocused();
		});

		test('words the site does not have give an honest empty result with ways on', async ({
			page,
		}) => {
			const dialog = page.getByRole('dialog', { name: 'Search the guide' });
			await page.keyboard.type('xylophone orchestra');
			const notice = dialog.locator('.search-notice');
			await expect(notice).toContainText('Nothing on this site matches xylophone orchestra.');
			await expect(dialog.getByRole('option')).toHaveCount(0);
			await expect(dialog.getByRole('status')).toHaveText('Nothing on this site matches.');
			for (const name of ['the FAQ', 'the glossary', 'troubleshooting by error text'])
				await expect(notice.getByRole('link', { name })).toBeVisible();
			expect(await axe(page, themed(scheme))).toEqual([]);
			await tabTo(page, notice.getByRole('link', { name: 'the glossary' }));
			await page.keyboard.press('Enter');
			await expect(page).toHaveURL(/reference\/glossary\/$/);
		});

		test('a suggestion is one key away', async ({ page }) => {
			const dialog = page.getByRole('dialog', { name: 'Search the guide' });
			await page.keyboard.type('giraffe zebra');
			const first = dialog.locator('.search-notice .search-suggestion').first();
			await expect(first).toBeVisible();
			const word = (await first.textContent()) ?? '';
			await tabTo(page, first);
			await page.keyboard.press('Enter');
			await expect(dialog.getByRole('combobox')).toHaveValue(word);
		});
	});
}

test('a pasted error lands on the answer that quotes it', async ({ page }) => {
	await page.goto(
		`search/?q=${encodeURIComponent('upstream connect error or disconnect/reset before headers. reset reason: connection termination')}`
	);
	await expect(page.locator('main [role="option"]').first()).toHaveAttribute(
		'href',
		/\/faq\/envoy-upstream-connect-error\//
	);
});

// No page of the guide mentions AppArmor: the results share the query's other words, so they are
// shown, but the panel says they miss the telling one.
test('weak results say so and offer troubleshooting and the FAQ', async ({ page }) => {
	await page.goto(`search/?q=${encodeURIComponent('istio sidecar apparmor profile')}`);
	const main = page.locator('main');
	await expect(main.locator('[role="option"]').first()).toBeVisible();
	const notice = main.locator('.search-weak');
	await expect(notice).toContainText('No page here holds apparmor');
	const links = main.locator('.search-notice');
	await expect(links.getByRole('link', { name: 'troubleshooting by error text' })).toBeVisible();
	await expect(links.getByRole('link', { name: 'the FAQ' })).toBeVisible();
	// A query the results answer gets no such notice.
	await page.goto(`search/?q=${encodeURIComponent('windows nodes')}`);
	await expect(main.locator('[role="option"]').first()).toHaveAttribute(
		'href',
		/\/faq\/windows-nodes\//
	);
	await expect(main.locator('.search-weak')).toHaveCount(0);
});
