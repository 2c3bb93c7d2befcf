import { expect, test } from '@playwright/test';

const page1 = 'concepts/what-a-mesh-solves/';

test.describe('theme', () => {
	test('a saved dark theme is applied before first paint, with no flash of light', async ({
		page,
	}) => {
		await page.addInitScript(() => {
			localStorage.setItem('kb-theme', 'dark');
			// Record the background the very first time the document has a body.
			document.addEventListener('DOMContentLoaded', () => {
				(window as unknown as { firstBg: string }).firstBg = getComputedStyle(
					document.body
				).backgroundColor;
			});
		});
		await page.goto(page1);
		const firstBg = await page.evaluate(() => (window as unknown as { firstBg: string }).firstBg);
		expect(firstBg).toBe('rgb(13, 17, 23)');
		await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
	});

	test('the switch changes the theme and remembers it across pages', async ({ page }) => {
		await page.emulateMedia({ colorScheme: 'light' });
		await page.goto(page1);
		const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
		expect(await bg()).toBe('rgb(255, 255, 255)');
		await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
		expect(await bg()).toBe('rgb(13, 17, 23)');
		await page.goto('./');
		expect(await bg()).toBe('rgb(13, 17, 23)');
		await page.getByRole('combobox', { name: 'Theme' }).selectOption('auto');
		expect(await bg()).toBe('rgb(255, 255, 255)');
	});

	test('auto follows the system setting', async ({ page }) => {
		await page.emulateMedia({ colorScheme: 'dark' });
		await page.goto(page1);
		expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
			'rgb(13, 17, 23)'
		);
	});
});

test.describe('navigation', () => {
	test('the sidebar marks the current page and the TOC links to sections', async ({ page }) => {
		await page.goto(page1);
		const nav = page.getByRole('navigation', { name: 'Guide' });
		await expect(nav.getByRole('link', { name: 'What a mesh solves' })).toHaveAttribute(
			'aria-current',
			'page'
		);
		await page
			.getByRole('navigation', { name: 'On this page' })
			.getByRole('link', { name: 'When a mesh is premature' })
			.click();
		await expect(page).toHaveURL(/#premature$/);
		await expect(page.locator('#premature')).toBeInViewport();
	});

	test('previous and next links follow the sidebar order', async ({ page }) => {
		await page.goto(page1);
		const sidebar = await page
			.getByRole('navigation', { name: 'Guide' })
			.getByRole('link')
			.evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).pathname));
		const here = sidebar.indexOf(new URL(page.url()).pathname);
		expect(here, 'the page is in the sidebar, neither first nor last').toBeGreaterThan(0);
		expect(here).toBeLessThan(sidebar.length - 1);
		const pn = page.getByRole('navigation', { name: 'Previous and next page' });
		const path = (name: RegExp) =>
			pn.getByRole('link', { name }).evaluate((a) => (a as HTMLAnchorElement).pathname);
		expect(await path(/Previous/)).toBe(sidebar[here - 1]);
		expect(await path(/Next/)).toBe(sidebar[here + 1]);
	});

	test('the skip link moves focus to the main content', async ({ page }) => {
		await page.goto(page1);
		await page.keyboard.press('Tab');
		const skip = page.getByRole('link', { name: 'Skip to content' });
		await expect(skip).toBeFocused();
		await expect(skip).toBeInViewport();
		await page.keyboard.press('Enter');
		await expect(page.locator('main')).toBeFocused();
	});

	test('headings carry permalinks', async ({ page }) => {
		await page.goto(page1);
		await expect(
			page.getByRole('link', { name: 'Permalink to “When a mesh is premature”' })
		).toHaveAttribute('href', '#premature');
	});
});

test.describe('phone, 360 px', () => {
	test.use({ viewport: { width: 360, height: 740 } });

	test('the menu button opens and closes the sidebar', async ({ page }) => {
		await page.goto(page1);
		const nav = page.getByRole('navigation', { name: 'Guide' });
		await expect(nav).toBeHidden();
		const button = page.getByRole('button', { name: 'Menu' });
		await button.click();
		await expect(button).toHaveAttribute('aria-expanded', 'true');
		await expect(nav).toBeVisible();
		await page.keyboard.press('Escape');
		await expect(nav).toBeHidden();
		await expect(button).toBeFocused();
	});

	test('nothing is wider than the screen', async ({ page }) => {
		await page.goto(page1);
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
	});
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

	test('the menu link reveals the sidebar', async ({ page }) => {
		await page.goto(page1);
		await page.getByRole('link', { name: 'Menu' }).click();
		await expect(page.getByRole('navigation', { name: 'Guide' })).toBeVisible();
	});
});

test.describe('print', () => {
	test('prints the article only, with link URLs written out', async ({ page }) => {
		// A page with sources and code blocks, so both print rules have something to act on.
		await page.goto('linkerd/install/');
		await page.emulateMedia({ media: 'print' });
		await expect(page.getByRole('navigation', { name: 'Guide' })).toBeHidden();
		await expect(page.locator('.site-header')).toBeHidden();
		const after = await page.evaluate(() => {
			const a = document.querySelector('.sources a');
			return a ? getComputedStyle(a, '::after').content : '';
		});
		expect(after).toContain('https://');
		const pre = await page.evaluate(() => {
			const el = document.querySelector('pre');
			return el ? getComputedStyle(el).breakInside : 'no <pre> on the page';
		});
		expect(pre).toBe('avoid');
	});
});

test.describe('404', () => {
	test('an unknown URL shows the 404 page with a way back', async ({ page }) => {
		const response = await page.goto('no/such/page/');
		expect(response?.status()).toBe(404);
		await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
		await page.getByRole('link', { name: 'Back to the home page' }).click();
		await page.waitForURL(
			(u) => u.pathname === new URL('./', test.info().project.use.baseURL).pathname
		);
		await expect(page.getByRole('heading', { level: 1, name: 'Mesh Field Guide' })).toBeVisible();
	});
});

test('the version stamp reads as a sentence on pages and on answers', async ({ page }) => {
	const stamp =
		/^Verified against Istio 1\.\d+ and Linkerd 2\.\d+(?: \(edge-\d+\.\d+\.\d+\))? on \d{1,2} [A-Z][a-z]+ \d{4}\.$/;
	await page.goto('istio/install/');
	expect((await page.locator('.page-meta .verified').innerText()).trim()).toMatch(stamp);
	await page.goto('faq/restart-pods/');
	const meta = (await page.locator('.faq-meta > span').first().innerText()).trim();
	// The answer's own page adds its revision after the stamp and, before it, how many of its
	// statements carry upstream evidence (read from the page, so its wording may change).
	const factCount = (await page.locator('.faq-meta .fact-count').first().innerText()).trim();
	expect(factCount).not.toBe('');
	const stampOnly = meta
		.replace(/^Applies to [^.]+\. /, '')
		.replace(/ Revision \d+, .*$/, '')
		.replace(factCount, '')
		.trim();
	expect(stampOnly).toMatch(stamp);
});
