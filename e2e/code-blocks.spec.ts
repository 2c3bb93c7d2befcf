import { expect, test, type Page } from '@playwright/test';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test('copying a command yields exactly the command', async ({ page }) => {
	await page.goto('istio/install/');
	const block = page.locator('kb-code').filter({ hasText: 'helm install istiod' }).first();
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await clipboard(page)).toBe(
		'helm install istiod istio/istiod -n istio-system --set profile=ambient --wait'
	);
	await expect(block.getByRole('button', { name: 'Copied shell code' })).toBeVisible();
	await expect(page.locator('#kb-announcer')).toHaveText('Code copied to the clipboard');
});

test('a multi-line command keeps its line continuations', async ({ page }) => {
	await page.goto('istio/install/');
	const block = page.locator('kb-code').filter({ hasText: 'kubectl get crd gateways' }).first();
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await clipboard(page)).toBe(
		'kubectl get crd gateways.gateway.networking.k8s.io \\\n  || kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/standard-install.yaml'
	);
});

test('an annotated manifest copies clean, without callout numbers', async ({ page }) => {
	await page.goto('istio/security/');
	const block = page.locator('.manifest').filter({ hasText: 'PeerAuthentication' }).first();
	await block.getByRole('button', { name: /Copy/ }).click();
	expect(await clipboard(page)).toBe(
		'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICT'
	);
});

test('download gives the clean manifest file', async ({ page, request }) => {
	await page.goto('istio/security/');
	const href = await page.locator('.manifest a.download').first().getAttribute('href');
	const body = await (await request.get(href ?? '')).text();
	expect(body).not.toContain('#>');
	expect(body).toContain('kind: PeerAuthentication');
});

test('copy all steps yields one script with each step commented', async ({ page }) => {
	await page.goto('istio/install/');
	await page.getByRole('button', { name: 'Copy all 7 steps as one script' }).click();
	const script = await clipboard(page);
	expect(
		script.startsWith('#!/usr/bin/env bash\n# Install Istio in ambient mode with Helm\n')
	).toBe(true);
	expect(script).toContain(
		'set -euo pipefail\n\n# 1. Add the Helm repository\nhelm repo add istio https://istio-release.storage.googleapis.com/charts\nhelm repo update\n\n# 2. Install the base chart\n'
	);
	expect(script).toContain(
		'# 6. Install ztunnel\nhelm install ztunnel istio/ztunnel -n istio-system --wait\n'
	);
	expect(script).not.toContain('global.platform=gke');
});

test('callouts open their note by keyboard and close with Escape', async ({ page }) => {
	await page.goto('istio/security/');
	const manifest = page.locator('.manifest').filter({ hasText: 'api-allow-frontend' }).first();
	const callout = manifest.getByRole('button', { name: 'Note 1' });
	await callout.focus();
	await page.keyboard.press('Enter');
	await expect(callout).toHaveAttribute('aria-expanded', 'true');
	const bubble = manifest.getByRole('note');
	await expect(bubble).toContainText('hands the policy to the waypoint');
	await page.keyboard.press('Escape');
	await expect(bubble).toBeHidden();
	await expect(callout).toBeFocused();
});

test('each note has its own anchor', async ({ page }) => {
	await page.goto('istio/security/#istio-authorizationpolicy-l7-waypoint-note-3');
	await expect(page.locator('#istio-authorizationpolicy-l7-waypoint-note-3')).toBeInViewport();
	await expect(page.locator('#istio-authorizationpolicy-l7-waypoint-note-3')).toContainText(
		'L7 conditions'
	);
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
	const block = page
		.locator('kb-code')
		.filter({ hasText: 'helm install ztunnel istio/ztunnel -n istio-system --wait' })
		.first();
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await page.evaluate(() => (window as unknown as { copied: string }).copied)).toBe(
		'helm install ztunnel istio/ztunnel -n istio-system --wait'
	);
	await expect(block.getByRole('button', { name: 'Copied shell code' })).toBeVisible();
});

test('filled placeholders change every command, travel in the URL and are copied', async ({
	page,
}) => {
	await page.goto('istio/enrol/');
	await page.getByRole('textbox', { name: 'namespace', exact: true }).fill('shop');
	await expect(page).toHaveURL(/ph\.namespace=shop/);
	const block = page
		.locator('kb-code')
		.filter({ hasText: 'istio.io/dataplane-mode=ambient' })
		.first();
	await expect(block).toContainText('kubectl label namespace shop istio.io/dataplane-mode=ambient');
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await clipboard(page)).toBe(
		'kubectl label namespace shop istio.io/dataplane-mode=ambient'
	);

	await page.reload();
	await expect(page.getByRole('textbox', { name: 'namespace', exact: true })).toHaveValue('shop');
	await expect(block).toContainText('namespace shop istio.io');
});

test('Copy with an unfilled placeholder asks for the value first, then copies it filled', async ({
	page,
}) => {
	await page.goto('faq/viz-routes-empty/');
	const block = page.locator('kb-code').filter({ hasText: 'stat-outbound' }).first();
	await page.evaluate(() => navigator.clipboard.writeText('untouched'));
	await block.getByRole('button', { name: 'Copy shell code' }).click();
	expect(await clipboard(page)).toBe('untouched');
	await expect(block.locator('.code-fill-note')).toHaveText(
		/^Fill in <client>, <namespace> and <server> first/
	);
	const client = block.getByRole('textbox', { name: 'client' });
	await expect(client).toBeFocused();
	await client.fill('web');
	await block.getByRole('textbox', { name: 'namespace', exact: true }).fill('shop');
	await block.getByRole('textbox', { name: 'server' }).fill('api');
	await expect(block.locator('.code-fill-note')).toHaveText(/^Ready/);
	await page.keyboard.press('Enter');
	await expect
		.poll(() => clipboard(page))
		.toBe(
			'linkerd viz stat-outbound deploy/web -n shop\nlinkerd viz stat-inbound deploy/api -n shop'
		);
	// The answer's own form and the address follow the values typed in the block.
	await expect(page.locator('kb-placeholders input[data-ph="namespace"]')).toHaveValue('shop');
	await expect(page).toHaveURL(/ph\.client=web/);
});

test('a second Copy takes the template, as the note said it would', async ({ page }) => {
	await page.goto('faq/viz-routes-empty/');
	const block = page.locator('kb-code').filter({ hasText: 'stat-outbound' }).first();
	const button = block.locator('.copy-btn');
	await button.click();
	await expect(button).toHaveText(/Copy template/);
	await button.click();
	await expect.poll(() => clipboard(page)).toContain('deploy/<client> -n <namespace>');
	await expect(page.locator('#kb-announcer')).toHaveText(
		'Template with placeholders copied to the clipboard'
	);
});

test('the FAQ page copies code inside answers and offers their placeholders', async ({ page }) => {
	await page.goto('faq/?ph.namespace=shop#viz-routes-empty');
	const answer = page.locator('.faq-entry').filter({ has: page.locator('#viz-routes-empty') });
	await expect(answer.locator('kb-placeholders input[data-ph="namespace"]')).toHaveValue('shop');
	await expect(answer.locator('kb-code').first()).toContainText('-n shop');
	const crds = page
		.locator('.faq-entry')
		.filter({ has: page.locator('#linkerd-gateway-api-crds') });
	await crds.locator('.copy-btn').first().click();
	await expect.poll(() => clipboard(page)).toContain('kubectl');
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
	await expect(page.getByRole('tabpanel').first()).toContainText('api-canary');
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
