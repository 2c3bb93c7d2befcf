import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { axe, colourRules } from './axe';
import { waitUntilOffline } from './offline-helpers';

/**
 * The config doctor as a reader uses it: paste or drop YAML, check, read the findings, follow a
 * link to the answer, copy the findings for a ticket; in both themes, on a phone and a desktop,
 * and offline after one visit.
 */

const fixture = (path: string) => readFileSync(`src/lib/doctor/fixtures/${path}`, 'utf8');

// Three of the engine's must-flag fixtures pasted as one text: a mesh-wide STRICT policy, a
// Linkerd Server that nothing authorizes and a misspelt field, in documents 1, 2 and 3.
const bad = ['pa-mesh-wide-strict', 'linkerd-server-alone', 'peerauth-misspelt-mode']
	.map((name) => `${fixture(`bad/${name}.yaml`).trimEnd()}\n`)
	.join('---\n');
const lineOf = (text: string) => bad.split('\n').findIndex((l) => l.includes(text)) + 1;
const badLines = {
	strict: lineOf('mode: STRICT'),
	server: lineOf('name: orders-http'),
	misspelt: lineOf('mdoe: STRICT'),
};

// One of the fixtures that must pass clean.
const clean = fixture('clean/authz-l4-selector-ambient.yaml');

const field = (page: Page) => page.getByRole('textbox', { name: 'YAML to check' });
const findings = (page: Page) => page.locator('.doctor-finding');
const summary = (page: Page) => page.locator('.doctor-summary');

async function check(page: Page, text: string) {
	await field(page).fill(text);
	await page.getByRole('button', { name: 'Check', exact: true }).click();
}

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

for (const width of [360, 1280]) {
	test.describe(`at ${width} px`, () => {
		test.use({ viewport: { width, height: width === 360 ? 740 : 900 } });

		test('pasted YAML gets findings with document, line, severity and a link, axe clean in both themes', async ({
			page,
		}) => {
			await page.addInitScript(() => localStorage.setItem('kb-theme', 'dark'));
			await page.goto('doctor/');
			await expect(page.getByRole('heading', { level: 1 })).toContainText('Config doctor');
			await expect(page.getByText(/never sent anywhere/)).toBeVisible();
			await check(page, bad);

			await expect(summary(page)).toHaveText(/^\d+ errors?, \d+ warnings?$/);
			const strict = findings(page).filter({ hasText: 'istio-mesh-wide-strict-mtls' });
			await expect(strict).toContainText(`Document 1, line ${badLines.strict}`);
			await expect(strict).toContainText('Warning');
			const server = findings(page).filter({ hasText: 'linkerd-server-no-authorization' });
			await expect(server).toContainText(`Document 2, line ${badLines.server}`);
			const misspelt = findings(page).filter({ hasText: 'schema-unknown-field' });
			await expect(misspelt).toContainText(`Document 3, line ${badLines.misspelt}`);
			await expect(misspelt).toContainText('Error');
			// The summary counts what the list shows.
			const errors = await findings(page)
				.filter({ hasText: /^\s*✖?\s*Error/ })
				.count();
			const warnings = (await findings(page).count()) - errors;
			await expect(summary(page)).toHaveText(
				`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
			);
			// Nothing a reader pasted reaches the address.
			expect(new URL(page.url()).search).toBe('');

			// Nothing overflows the phone's width.
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow, 'horizontal overflow').toBeLessThanOrEqual(0);

			expect(await axe(page), 'axe, dark theme').toEqual([]);
			await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
			await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
			expect(await axe(page, { rules: colourRules }), 'axe colour rules, light theme').toEqual([]);
		});
	});
}

test("a finding's line selects that line in the field; its link opens the answer at its current revision", async ({
	page,
}) => {
	await page.goto('doctor/');
	await check(page, bad);
	const strict = findings(page).filter({ hasText: 'istio-mesh-wide-strict-mtls' });
	await strict.getByRole('button', { name: `Document 1, line ${badLines.strict}` }).click();
	const selected = await field(page).evaluate((el: HTMLTextAreaElement) =>
		el.value.slice(el.selectionStart, el.selectionEnd)
	);
	expect(selected).toBe('    mode: STRICT');
	await expect(field(page)).toBeFocused();

	const link = strict.getByRole('link', { name: /^Why: / });
	expect(await link.getAttribute('href')).toMatch(/\/faq\/strict-mtls-unmeshed\/\?rev=\d+$/);
	await link.click();
	await expect(page).toHaveURL(/\/faq\/strict-mtls-unmeshed\/\?rev=\d+$/);
	await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
	// The link carries the answer's current revision, so no "changed since" notice shows.
	const notice = page.locator('[data-revision-notice]');
	const rev = new URL(page.url()).searchParams.get('rev');
	await expect(notice).toHaveAttribute('data-revision', rev ?? '');
	await expect(notice).toBeHidden();
});

test('a clean manifest gives "No problems found"; an empty field says what to do', async ({
	page,
}) => {
	await page.goto('doctor/');
	await page.getByRole('button', { name: 'Check', exact: true }).click();
	await expect(summary(page)).toHaveText(/^Nothing to check: paste YAML/);
	await expect(field(page)).toBeFocused();

	await check(page, clean);
	await expect(summary(page)).toHaveText('No problems found');
	await expect(findings(page)).toHaveCount(0);
	await expect(page.locator('#kb-announcer')).toHaveText('No problems found');

	await page.getByRole('button', { name: 'Clear' }).click();
	await expect(field(page)).toHaveValue('');
	await expect(summary(page)).toBeHidden();
});

test('copy findings as Markdown gives the list with absolute links, ready for a ticket', async ({
	page,
}) => {
	await page.goto('doctor/');
	await check(page, bad);
	await page.getByRole('button', { name: 'Copy findings as Markdown' }).click();
	await expect(page.locator('#kb-announcer')).toHaveText('Findings copied to the clipboard');
	const markdown = await page.evaluate(() => navigator.clipboard.readText());
	expect(markdown).toMatch(/^Config doctor: \d+ errors?, \d+ warnings? in the pasted YAML:\n\n- /);
	expect(markdown).toContain(`(document 1, line ${badLines.strict}, \`spec.mtls.mode\`)`);
	expect(markdown).toMatch(/\[Why\]\(http:\/\/[^)]+\/faq\/strict-mtls-unmeshed\/\?rev=\d+\)/);
});

test('a chosen or dropped .yaml file is read and checked, and named in the Markdown', async ({
	page,
}) => {
	await page.goto('doctor/');
	await page.getByLabel('Or choose a file').setInputFiles({
		name: 'mesh.yaml',
		mimeType: 'application/yaml',
		buffer: Buffer.from(bad),
	});
	await expect(field(page)).toHaveValue(bad);
	await expect(findings(page).filter({ hasText: 'istio-mesh-wide-strict-mtls' })).toBeVisible();
	await page.getByRole('button', { name: 'Copy findings as Markdown' }).click();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(' in `mesh.yaml`:');

	// Dropping a file on the form, before anything else was done on a fresh page.
	await page.goto('doctor/');
	const drop = await page.evaluateHandle((text) => {
		const data = new DataTransfer();
		data.items.add(new File([text], 'clean.yml', { type: 'application/yaml' }));
		return data;
	}, clean);
	await field(page).dispatchEvent('dragover', { dataTransfer: drop });
	await field(page).dispatchEvent('drop', { dataTransfer: drop });
	await expect(field(page)).toHaveValue(clean);
	await expect(summary(page)).toHaveText('No problems found');

	// A file of another kind is refused, by name.
	await page.getByLabel('Or choose a file').setInputFiles({
		name: 'notes.txt',
		mimeType: 'text/plain',
		buffer: Buffer.from('hello'),
	});
	await expect(summary(page)).toHaveText(/^notes\.txt is not a \.yaml or \.yml file/);
});

test('without JavaScript the page lists the rules and the command line', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	const page = await context.newPage();
	await page.goto('doctor/');
	await expect(field(page)).toBeHidden();
	await expect(page.getByText(/needs JavaScript/)).toBeVisible();
	const rules = page.locator('[data-doctor-rules] li');
	expect(await rules.count()).toBeGreaterThanOrEqual(30);
	const strict = rules.filter({ hasText: 'istio-mesh-wide-strict-mtls' });
	await expect(strict).toContainText('Warning');
	await expect(strict).toContainText('Istio');
	expect(await strict.getByRole('link').getAttribute('href')).toMatch(
		/\/faq\/strict-mtls-unmeshed\/\?rev=\d+$/
	);
	await expect(
		page.locator('pre').filter({ hasText: 'npm run doctor -- file.yaml' })
	).toBeVisible();
	await context.close();
});

test.describe('offline', () => {
	test.use({ serviceWorkers: 'allow' });

	test(
		'after one visit to the doctor, it checks offline',
		{ tag: '@server' },
		async ({ page, context, browser }) => {
			test.setTimeout(300_000);
			// The doctor opened as the first page: the worker saves its checker as it installs.
			await page.goto('doctor/');
			await waitUntilOffline(page);
			await context.setOffline(true);
			await page.reload();
			await check(page, bad);
			await expect(findings(page).filter({ hasText: 'istio-mesh-wide-strict-mtls' })).toBeVisible();
			await context.setOffline(false);

			// The doctor opened later, nothing checked: the checker is saved with the page.
			const later = await browser.newContext({ serviceWorkers: 'allow' });
			const tab = await later.newPage();
			const requested: string[] = [];
			tab.on('request', (r) => requested.push(new URL(r.url()).pathname));
			await tab.goto(new URL('../faq/', page.url()).href);
			await waitUntilOffline(tab);
			await tab.goto(page.url());
			await waitUntilOffline(tab, /^Available offline: this page/);
			expect(
				requested.filter((p) => p.includes('doctor-check')),
				'loaded by the page'
			).toEqual([]);
			await later.setOffline(true);
			await tab.reload();
			await check(tab, clean);
			await expect(summary(tab)).toHaveText('No problems found');
			await later.close();
		}
	);
});
