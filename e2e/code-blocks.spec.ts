import { expect, test, type Locator, type Page } from '@playwright/test';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

/*
 * These tests check what the code does with whatever a page holds: the expected text is read from
 * the page (what a reader sees) or from the built files, never written here, so a new install
 * step or a reworded note changes no test. `steps.content.test.ts` checks the pages' structure.
 */

/** What a reader sees in a block's code (shell blocks carry no callout numbers). */
const shown = async (block: Locator) =>
	(await block.locator('pre').innerText()).replace(/\n+$/, '');

/** Shell blocks with a copy button (a selector that still matches once the button says Copied). */
const shell =
	'kb-code.is-code:is([data-lang="bash"], [data-lang="sh"], [data-lang="shell"], [data-lang="zsh"])';

/** The page's first shell block whose text matches `has`. */
const shellBlock = (page: Page, has?: RegExp) =>
	page
		.locator(shell)
		.filter(has ? { hasText: has } : {})
		.first();

test('copying a command yields exactly the command', async ({ page }) => {
	await page.goto('istio/install/');
	const block = shellBlock(page);
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	const copied = await clipboard(page);
	expect(copied).toBe(await shown(block));
	expect(copied).not.toMatch(/^\$ /m);
	await expect(block.getByRole('button', { name: 'Copied shell code' })).toBeVisible();
	await expect(page.locator('#kb-announcer')).toHaveText('Code copied to the clipboard');
});

test('a multi-line command keeps its line continuations', async ({ page }) => {
	await page.goto('istio/install/');
	const block = shellBlock(page, /\\\n/);
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	const copied = await clipboard(page);
	expect(copied).toMatch(/ \\\n\s+\S/);
	expect(copied).toBe(await shown(block));
});

test('an annotated manifest copies clean, without callout numbers', async ({ page }) => {
	await page.goto('istio/security/');
	const block = page
		.locator('.manifest')
		.filter({ has: page.locator('.callout') })
		.first();
	await block.getByRole('button', { name: /Copy/ }).click();
	const copied = (await clipboard(page)).split('\n');
	// Line for line what is shown, each without the callout number the line ends with.
	const lines = (await block.locator('pre').innerText()).replace(/\n+$/, '').split('\n');
	expect(copied).toHaveLength(lines.length);
	copied.forEach((line, i) => {
		expect(lines[i]?.startsWith(line)).toBe(true);
		expect(lines[i]?.slice(line.length)).toMatch(/^\d*$/);
	});
	expect(copied.filter((line, i) => line !== lines[i]).length).toBeGreaterThan(0);
	expect(copied.join('\n')).not.toContain('#>');
	// The same text the Download link gives.
	const href = await block.locator('a.download').getAttribute('href');
	const file = await (await page.request.get(href ?? '')).text();
	expect(file.trimEnd()).toBe(copied.join('\n'));
});

test('download gives the clean manifest file', async ({ page, request }) => {
	await page.goto('istio/security/');
	const href = await page.locator('.manifest a.download').first().getAttribute('href');
	const body = await (await request.get(href ?? '')).text();
	expect(body).not.toContain('#>');
	expect(body).toMatch(/^kind: \w+$/m);
});

test('copy all steps yields one script with each step commented', async ({ page }) => {
	await page.goto('istio/install/');
	const steps = page.locator('kb-code[data-step-title]');
	const count = await steps.count();
	await page.getByRole('button', { name: `Copy all ${count} steps as one script` }).click();
	const script = await clipboard(page);
	const title = await page.getByRole('heading', { level: 1 }).innerText();
	expect(script.startsWith(`#!/usr/bin/env bash\n# ${title}\n`)).toBe(true);
	expect(script).toContain('\nset -euo pipefail\n\n');
	// Every step, in page order, under a comment naming the heading it follows.
	let from = 0;
	for (const step of await steps.all()) {
		const heading = await step.getAttribute('data-step-title');
		const code = await shown(step);
		const at = script.indexOf(code, from);
		expect(at, `step "${heading}" in order`).toBeGreaterThanOrEqual(from);
		expect(script.lastIndexOf(`# ${heading}\n`, at)).toBeGreaterThan(-1);
		from = at + code.length;
	}
	// A shell block that is not a step (an alternative, a check) stays out.
	for (const other of await page.locator(shell).and(page.locator(':not([data-step-title])')).all())
		expect(script).not.toContain(await shown(other));
});

test('callouts open their note by keyboard and close with Escape', async ({ page }) => {
	await page.goto('istio/security/');
	const manifest = page
		.locator('.manifest')
		.filter({ has: page.locator('.callout') })
		.first();
	const callout = manifest.getByRole('button', { name: 'Note 1' });
	await callout.focus();
	await page.keyboard.press('Enter');
	await expect(callout).toHaveAttribute('aria-expanded', 'true');
	const bubble = manifest.getByRole('note');
	// The bubble says what the first note of the list under the block says.
	await expect(bubble).toContainText(await manifest.locator('.notes li').first().innerText());
	await page.keyboard.press('Escape');
	await expect(bubble).toBeHidden();
	await expect(callout).toBeFocused();
});

test('each note has its own anchor', async ({ page }) => {
	await page.goto('istio/security/');
	const ids = await page
		.locator('.manifest .notes li[id]')
		.evaluateAll((notes) => notes.map((n) => n.id));
	expect(new Set(ids).size).toBe(ids.length);
	const last = ids.at(-1) ?? '';
	expect(last).toMatch(/-note-\d+$/);
	await page.goto(`istio/security/#${last}`);
	await expect(page.locator(`[id="${last}"]`)).toBeInViewport();
	await expect(page.locator(`[id="${last}"]`)).not.toBeEmpty();
});

test('copy falls back to a selection copy when the Clipboard API is missing', async ({ page }) => {
	await page.addInitScript(() => {
		Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
		const original = document.execCommand.bind(document);
		document.execCommand = (cmd: string, ...rest: unknown[]) => {
			if (cmd === 'copy') {
				const el = document.activeElement as HTMLTextAreaElement | null;
				(window as unknown as { copied: string }).copied = el?.value ?? '';
			}
			return original(cmd, ...(rest as [boolean, string]));
		};
	});
	await page.goto('istio/install/');
	const block = shellBlock(page);
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await page.evaluate(() => (window as unknown as { copied: string }).copied)).toBe(
		await shown(block)
	);
	await expect(block.getByRole('button', { name: 'Copied shell code' })).toBeVisible();
});

test('filled placeholders change every command, travel in the URL and are copied', async ({
	page,
}) => {
	await page.goto('istio/enrol/');
	const field = page.locator('kb-placeholders input[data-ph]').first();
	const name = (await field.getAttribute('data-ph')) ?? '';
	await field.fill('shop');
	await expect(page).toHaveURL(new RegExp(`ph\\.${name}=shop`));
	// A block whose only placeholder is this one: filled, it copies as shown.
	const mine = `var.ph[data-ph="${name}"]`;
	const block = page
		.locator('kb-code')
		.filter({ has: page.locator(mine) })
		.filter({ hasNot: page.locator(`var.ph:not([data-ph="${name}"])`) })
		.first();
	for (const v of await page.locator(mine).all()) await expect(v).toHaveText('shop');
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	const copied = await clipboard(page);
	expect(copied).toContain('shop');
	expect(copied).not.toContain(`<${name}>`);
	expect(copied).toBe(await shown(block));

	await page.reload();
	await expect(field).toHaveValue('shop');
	await expect(block.locator(mine).first()).toHaveText('shop');
});

test('Copy with an unfilled placeholder asks for the value first, then copies it filled', async ({
	page,
}) => {
	await page.goto('faq/viz-routes-empty/');
	const block = page
		.locator('kb-code')
		.filter({ has: page.locator('var.ph') })
		.first();
	const names = [
		...new Set(await block.locator('var.ph').evaluateAll((vs) => vs.map((v) => v.dataset['ph']))),
	].filter((n): n is string => !!n);
	const first = names[0] ?? '';
	expect(first).not.toBe('');
	await page.evaluate(() => navigator.clipboard.writeText('untouched'));
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await clipboard(page)).toBe('untouched');
	const note = block.locator('.code-fill-note');
	await expect(note).toHaveText(/^Fill in <.*> first/);
	for (const name of names) await expect(note).toContainText(`<${name}>`);
	await expect(block.getByRole('textbox', { name: first, exact: true })).toBeFocused();
	for (const [i, name] of names.entries())
		await block.getByRole('textbox', { name, exact: true }).fill(`v${i}`);
	await expect(note).toHaveText(/^Ready/);
	await page.keyboard.press('Enter');
	await expect.poll(() => clipboard(page)).toBe(await shown(block));
	const copied = await clipboard(page);
	for (const [i, name] of names.entries()) {
		expect(copied).toContain(`v${i}`);
		expect(copied).not.toContain(`<${name}>`);
	}
	// The answer's own form and the address follow the values typed in the block.
	await expect(page.locator(`kb-placeholders input[data-ph="${first}"]`)).toHaveValue('v0');
	await expect(page).toHaveURL(new RegExp(`ph\\.${first}=v0`));
});

test('a second Copy takes the template, as the note said it would', async ({ page }) => {
	await page.goto('faq/viz-routes-empty/');
	const block = page
		.locator('kb-code')
		.filter({ has: page.locator('var.ph') })
		.first();
	const template = await shown(block);
	expect(template).toMatch(/<[\w-]+>/);
	const button = block.locator('.copy-btn');
	await button.click();
	await expect(button).toHaveText(/Copy template/);
	await button.click();
	await expect.poll(() => clipboard(page)).toBe(template);
	await expect(page.locator('#kb-announcer')).toHaveText(
		'Template with placeholders copied to the clipboard'
	);
});

test('the FAQ page copies code inside answers and offers their placeholders', async ({ page }) => {
	await page.goto('faq/?ph.namespace=shop#viz-routes-empty');
	const answer = page.locator('.faq-entry').filter({ has: page.locator('#viz-routes-empty') });
	await expect(answer.locator('kb-placeholders input[data-ph="namespace"]')).toHaveValue('shop');
	await expect(answer.locator('kb-code var.ph[data-ph="namespace"]').first()).toHaveText('shop');
	const other = page
		.locator('.faq-entry')
		.filter({ hasNot: page.locator('#viz-routes-empty') })
		.locator(shell)
		.filter({ hasNot: page.locator('var.ph') })
		.first();
	await other.getByRole('button', { name: 'Copy shell code' }).click();
	await expect.poll(() => clipboard(page)).toBe(await shown(other));
});

test('unsafe placeholder values are refused with a message', async ({ page }) => {
	await page.goto('istio/enrol/?ph.namespace=%24(id)');
	const input = page.getByRole('textbox', { name: 'namespace', exact: true });
	await expect(input).toHaveValue('');
	await input.fill('a b');
	await expect(input).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByText('Letters, digits and . _ : / = @ - only; no spaces.')).toBeVisible();
	await expect(page.locator('var.ph[data-ph="namespace"]').first()).toHaveText('<namespace>');
});

test('mesh tabs stay in sync across the page, and a link carries the choice as ?tab=', async ({
	page,
}) => {
	await page.goto('reference/side-by-side/');
	const linkerdTabs = page.getByRole('tab', { name: 'Linkerd' });
	await linkerdTabs.first().click();
	await expect(page).toHaveURL(/[?&]tab=linkerd/);
	expect(page.url()).not.toContain('mesh=');
	for (const tab of await linkerdTabs.all())
		await expect(tab).toHaveAttribute('aria-selected', 'true');
	await expect(page.getByRole('tabpanel').first()).toHaveAttribute('data-mesh', 'linkerd');
	await expect(page.getByRole('tabpanel').first()).toBeVisible();
	await page.reload();
	await expect(linkerdTabs.last()).toHaveAttribute('aria-selected', 'true');
	await page.getByRole('tab', { name: 'Linkerd' }).first().focus();
	await page.keyboard.press('ArrowLeft');
	await expect(page.getByRole('tab', { name: 'Istio' }).first()).toBeFocused();
	await expect(page).toHaveURL(/[?&]tab=istio/);
});

test('the tab choice and the search filters are separate, and the choice follows the reader', async ({
	page,
}) => {
	await page.goto('reference/side-by-side/');
	await page.getByRole('tab', { name: 'Linkerd' }).first().click();
	await page.keyboard.press('/');
	const dialog = page.getByRole('dialog', { name: 'Search the guide' });
	await expect(dialog.locator('[data-search-panel][data-ready]')).toBeAttached();
	const filters = dialog.locator('.search-filters input[type="checkbox"]');
	await expect(filters.first()).toBeVisible();
	for (const box of await filters.all()) await expect(box).not.toBeChecked();
	// Setting then clearing a search filter leaves the tabs and their address alone.
	const istioFilter = dialog.getByRole('checkbox', { name: 'Istio' });
	await istioFilter.check();
	await expect(page).toHaveURL(/mesh=istio/);
	await istioFilter.uncheck();
	await expect(page).not.toHaveURL(/mesh=/);
	await expect(page).toHaveURL(/[?&]tab=linkerd/);
	await dialog.getByRole('button', { name: 'Close search' }).click();
	const chosen = page.getByRole('tab', { name: 'Linkerd', selected: true });
	await expect(chosen).toHaveCount(await page.getByRole('tab', { name: 'Linkerd' }).count());
	// A search filter left in the address does not choose a tab.
	await page.goto('reference/side-by-side/?mesh=istio');
	await expect(page.getByRole('tab', { name: 'Linkerd' }).first()).toHaveAttribute(
		'aria-selected',
		'true'
	);
	// The choice carries to the next page with tabs, opened without it in the address (only one
	// page has tabs today: leave it, then come back).
	await page.goto('istio/enrol/');
	await expect(page.getByRole('tab')).toHaveCount(0);
	await page.goto('reference/side-by-side/');
	for (const tab of await page.getByRole('tab', { name: 'Linkerd' }).all())
		await expect(tab).toHaveAttribute('aria-selected', 'true');
	await expect(page.getByRole('tabpanel').first()).toHaveAttribute('data-mesh', 'linkerd');
	// A link's own choice wins on that page without replacing the reader's.
	await page.goto('reference/side-by-side/?tab=istio');
	await expect(page.getByRole('tab', { name: 'Istio' }).first()).toHaveAttribute(
		'aria-selected',
		'true'
	);
	await page.goto('reference/side-by-side/');
	await expect(page.getByRole('tab', { name: 'Linkerd' }).first()).toHaveAttribute(
		'aria-selected',
		'true'
	);
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('code is readable, notes are listed, and no dead buttons show', async ({ page }) => {
		await page.goto('istio/security/');
		await expect(page.getByRole('button', { name: /Copy/ })).toHaveCount(0);
		await expect(page.locator('.notes li').first()).toBeVisible();
		await expect(page.locator('kb-code pre').first()).toBeVisible();
	});

	test('both meshes are shown on the side-by-side page', async ({ page }) => {
		await page.goto('reference/side-by-side/');
		await expect(page.locator('.panel[data-mesh="linkerd"]').first()).toBeVisible();
		await expect(page.locator('.panel[data-mesh="istio"]').first()).toBeVisible();
	});
});
