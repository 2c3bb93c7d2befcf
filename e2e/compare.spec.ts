import { expect, test } from '@playwright/test';
import { axe } from './axe';

test('"show only differences" hides rows where both meshes answer the same', async ({ page }) => {
	await page.goto('decide/compare/');
	const mtls = page.locator('#row-mtls');
	const sidecarless = page.locator('#row-sidecarless');
	await expect(mtls).toBeVisible();
	await page.getByRole('checkbox', { name: 'Show only differences' }).check();
	await expect(mtls).toBeHidden();
	await expect(sidecarless).toBeVisible();
	await page.getByRole('combobox', { name: 'Category' }).selectOption('traffic');
	await expect(sidecarless).toBeHidden();
	await expect(page.locator('#row-fault-injection')).toBeVisible();
});

test('each row can be linked from a ticket', async ({ page }) => {
	await page.goto('decide/compare/#row-fault-injection');
	await expect(page.locator('#row-fault-injection')).toBeInViewport();
	// The reader lands on the whole row: its feature name and a cell under every column.
	const row = page.locator('#row-fault-injection');
	const columns = await page.locator('thead th[scope="col"]').count();
	await expect(row.locator(':scope > th, :scope > td')).toHaveCount(columns);
	await expect(row.locator(':scope > th')).not.toBeEmpty();
});

test.describe('at 360 px', () => {
	test.use({ viewport: { width: 360, height: 740 } });

	test('the table keeps both mesh columns visible and fits the screen', async ({ page }) => {
		await page.goto('decide/compare/#row-multicluster');
		const row = page.locator('#row-multicluster');
		await expect(row.locator('td').nth(0)).toBeInViewport();
		await expect(row.locator('td').nth(1)).toBeInViewport();
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth
		);
		expect(overflow).toBeLessThanOrEqual(0);
	});
});

test('a shared calculator URL reproduces the result', async ({ page }) => {
	await page.goto('decide/cost/');
	const pods = page.getByRole('spinbutton', { name: 'Pods' });
	await pods.fill('400');
	await page.getByRole('spinbutton', { name: 'Nodes' }).fill('20');
	await expect(page).toHaveURL(/pods=400/);
	const sidecar = page.locator('tr[data-option="istio-sidecar"]');
	await expect(sidecar.locator('[data-field="requests"]')).toHaveText('52 GiB');
	await expect(sidecar.locator('[data-field="cpu"]')).toHaveText('40.5 cores');
	await expect(sidecar.locator('[data-field="usage"]')).toHaveText('23 GiB');
	const shared = page.url();
	await page.goto('about:blank');
	await page.goto(shared);
	await expect(page.locator('tr[data-option="istio-sidecar"] [data-field="requests"]')).toHaveText(
		'52 GiB'
	);
	await expect(page.locator('tr[data-option="istio-ambient"] [data-field="requests"]')).toHaveText(
		'14 GiB'
	);
});

test('invalid calculator input says what is wrong and keeps numbers sane', async ({ page }) => {
	await page.goto('decide/cost/?pods=-5&nodes=abc');
	await expect(page.getByText('Pods cannot be negative.')).toBeVisible();
	await expect(page.locator('tr[data-option="linkerd"] [data-field="usage"]')).not.toContainText(
		'NaN'
	);
	const pods = page.getByRole('spinbutton', { name: 'Pods' });
	await pods.fill('1.5');
	await expect(pods).toHaveAttribute('aria-invalid', 'true');
});

test('the calculator works by keyboard', async ({ page }) => {
	await page.goto('decide/cost/');
	const pods = page.getByRole('spinbutton', { name: 'Pods' });
	await pods.focus();
	await page.keyboard.press('ArrowUp');
	await expect(pods).toHaveValue('101');
	await expect(page).toHaveURL(/pods=101/);
});

test('without JavaScript the table and the default result are readable', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto(new URL('decide/compare/', test.info().project.use.baseURL).href);
	await expect(page.locator('#row-mtls')).toBeVisible();
	await expect(page.getByRole('checkbox', { name: 'Show only differences' })).toBeHidden();
	await page.goto(new URL('decide/cost/', test.info().project.use.baseURL).href);
	await expect(page.locator('tr[data-option="istio-sidecar"] [data-field="requests"]')).toHaveText(
		'15 GiB'
	);
	await expect(page.locator('tr[data-option="istio-ambient"] [data-field="cpu"]')).toHaveText(
		'3.5 cores'
	);
	// No button that would submit to a page that never reads it; the note says what JS adds.
	await expect(page.locator('kb-overhead button, kb-overhead [type="submit"]')).toHaveCount(0);
	await expect(page.getByRole('note')).toHaveText(/show the result for these defaults/);
	await context.close();
});

test('the comparison page has no axe violations with filters applied', async ({ page }) => {
	await page.goto('decide/compare/');
	await page.getByRole('checkbox', { name: 'Show only differences' }).check();
	expect(await axe(page)).toEqual([]);
});
