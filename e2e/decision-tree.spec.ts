import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, test, type Page } from '@playwright/test';
import { axe } from './axe';

interface Tree {
	start: string;
	questions: {
		id: string;
		text: string;
		answers: { id: string; label: string; short: string; next: string }[];
	}[];
	outcomes: { id: string; title: string }[];
}
const tree = parse(readFileSync('content/data/decision-tree.yaml', 'utf8')) as Tree;

/** One answer path to each outcome, found by walking the data. */
function pathsToOutcomes(): Map<string, { question: string; label: string; answer: string }[]> {
	const found = new Map<string, { question: string; label: string; answer: string }[]>();
	const walk = (id: string, path: { question: string; label: string; answer: string }[]) => {
		const q = tree.questions.find((x) => x.id === id);
		if (!q) {
			if (!found.has(id)) found.set(id, path);
			return;
		}
		for (const a of q.answers)
			walk(a.next, [...path, { question: q.id, label: a.label, answer: a.id }]);
	};
	walk(tree.start, []);
	return found;
}
const paths = pathsToOutcomes();
const shortOf = (question: string, answer: string) =>
	tree.questions.find((q) => q.id === question)?.answers.find((a) => a.id === answer)?.short ?? '';
const titleOf = (id: string) => tree.outcomes.find((o) => o.id === id)?.title ?? id;
const current = (page: Page) => page.locator('.dt-node:not([hidden])');

for (const [outcome, path] of paths) {
	test(`by mouse, reach "${titleOf(outcome)}"`, async ({ page }) => {
		await page.goto('decide/tree/');
		for (const step of path)
			await current(page).getByRole('link', { name: step.label, exact: true }).click();
		await expect(current(page).getByRole('heading', { level: 2 })).toContainText(titleOf(outcome));
		await expect(page).toHaveURL(new RegExp(`answers=${path.map((s) => s.answer).join('\\.')}$`));
		await expect(current(page).locator('.dt-reasons li')).toHaveCount(path.length);
	});

	test(`by keyboard only, reach "${titleOf(outcome)}", and the URL reopens it`, async ({
		page,
	}) => {
		await page.goto('decide/tree/');
		for (const step of path) {
			const link = current(page).getByRole('link', { name: step.label, exact: true });
			await link.focus();
			await page.keyboard.press('Enter');
			// Focus moves to the new step's heading.
			await expect(current(page).getByRole('heading', { level: 2 })).toBeFocused();
		}
		await expect(current(page).getByRole('heading', { level: 2 })).toContainText(titleOf(outcome));
		const url = page.url();
		await page.goto('about:blank');
		await page.goto(url);
		await expect(current(page).getByRole('heading', { level: 2 })).toContainText(titleOf(outcome));
	});
}

test('the back button steps back through the answers', async ({ page }) => {
	await page.goto('decide/tree/');
	const [first, second] = paths.get('linkerd') ?? [];
	await current(page)
		.getByRole('link', { name: first?.label ?? '', exact: true })
		.click();
	await current(page)
		.getByRole('link', { name: second?.label ?? '', exact: true })
		.click();
	await page.goBack();
	await expect(page).toHaveURL(new RegExp(`answers=${first?.answer ?? ''}$`));
	await expect(current(page)).toHaveAttribute('data-node', second?.question ?? '');
	await page.getByRole('button', { name: 'Back' }).click();
	await expect(current(page)).toHaveAttribute('data-node', tree.start);
	await expect(page.getByRole('button', { name: 'Back' })).toBeDisabled();
});

test('a garbage or outdated link opens at the last valid step and says so', async ({ page }) => {
	await page.goto('decide/tree/?answers=yes.yes.%3Cscript%3E.zzz');
	await expect(page.getByRole('status').filter({ hasText: 'partly out of date' })).toBeVisible();
	await expect(current(page)).toHaveAttribute('data-node', 'platform');
	await page.goto('decide/tree/?answers=%%%%');
	await expect(current(page)).toHaveAttribute('data-node', tree.start);
});

test.describe('copy summary', () => {
	test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

	test('gives the path and outcome as Markdown', async ({ page }) => {
		const path = paths.get('neither') ?? [];
		await page.goto(`decide/tree/?answers=${path.map((s) => s.answer).join('.')}`);
		await page.getByRole('button', { name: 'Copy summary' }).click();
		const md = await page.evaluate(() => navigator.clipboard.readText());
		expect(md).toMatch(
			/^\*\*Service mesh decision: Neither, for now\*\* \(\[open the decision\]\(http[^)]+answers=none\)\)/
		);
		expect(md).toContain(
			'- Is any of the four mesh problems a blocker for you today? **No, none of them blocks us today**.'
		);
	});

	test('never copies what a crafted link added to the address', async ({ page }) => {
		await page.goto(
			'decide/tree/?answers=none&x=%5D(https://evil.example/)#%5D(https://evil.example/)'
		);
		await page.getByRole('button', { name: 'Copy summary' }).click();
		const md = await page.evaluate(() => navigator.clipboard.readText());
		expect(md).toMatch(/\(\[open the decision\]\(http[^)\s]+\/decide\/tree\/\?answers=none\)\)/);
		expect(md).not.toContain('evil');
	});
});

test('the flowchart highlights the path', async ({ page }) => {
	const path = paths.get('istio-ambient') ?? [];
	await page.goto(`decide/tree/?answers=${path.map((s) => s.answer).join('.')}`);
	await expect(page.locator('[data-flow-node="istio-ambient"]')).toHaveClass(/on-path/);
	await expect(page.locator('[data-flow-node="linkerd"]')).not.toHaveClass(/on-path/);
	await expect(page.locator('g.edge.on-path')).toHaveCount(path.length);
	// The highlighted lines carry the answers the reader gave.
	await expect(page.locator('g.edge.on-path text')).toHaveText(
		path.map((s) => shortOf(s.question, s.answer))
	);
});

test('every line leaving a question is labelled, and the whole chart fits the column', async ({
	page,
}) => {
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.goto('decide/tree/');
	const answers = tree.questions.reduce((n, q) => n + q.answers.length, 0);
	const labels = page.locator('.flowchart g.edge text');
	await expect(labels).toHaveCount(answers);
	for (const label of await labels.all()) expect((await label.textContent())?.trim()).not.toBe('');
	const frame = await page.locator('.flowchart .scroll').boundingBox();
	expect(frame).not.toBeNull();
	const nodes = page.locator('[data-flow-node] rect');
	await expect(nodes).toHaveCount(tree.questions.length + tree.outcomes.length);
	for (const node of await nodes.all()) {
		const box = await node.boundingBox();
		if (!box || !frame) throw new Error('flowchart box not rendered');
		expect(box.x).toBeGreaterThanOrEqual(frame.x - 0.5);
		expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 0.5);
	}
	// Nothing to scroll at desktop width: the drawing is not wider than its frame.
	expect(
		await page.locator('.flowchart .scroll').evaluate((el) => el.scrollWidth - el.clientWidth)
	).toBeLessThanOrEqual(0);
});

test('at 360 px the flowchart keeps a legible size and scrolls inside its frame', async ({
	page,
}) => {
	await page.setViewportSize({ width: 360, height: 800 });
	await page.goto('decide/tree/');
	const fontPx = await page
		.locator('[data-flow-node] text')
		.first()
		.evaluate((el) => el.getBoundingClientRect().height);
	expect(fontPx).toBeGreaterThanOrEqual(11);
	expect(
		await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
	).toBeLessThanOrEqual(0);
	await expect(page.locator('.flowchart .scroll')).toHaveAttribute('tabindex', '0');
});

test.describe('without JavaScript', () => {
	test.use({ javaScriptEnabled: false });

	test('anchors lead through the whole tree', async ({ page }) => {
		await page.goto('decide/tree/');
		for (const step of paths.get('istio-sidecar') ?? []) {
			await page
				.locator(`#q-${step.question}`)
				.locator('..')
				.getByRole('link', { name: step.label, exact: true })
				.click();
		}
		await expect(page).toHaveURL(/#outcome-istio-sidecar$/);
		await expect(page.locator('#outcome-istio-sidecar')).toBeInViewport();
	});
});

test('every step passes axe', async ({ page }) => {
	test.setTimeout(400_000);
	const seen = new Set<string>();
	for (const [, path] of paths) {
		for (let i = 0; i <= path.length; i++) {
			const answers = path
				.slice(0, i)
				.map((s) => s.answer)
				.join('.');
			if (seen.has(answers)) continue;
			seen.add(answers);
			await page.goto(`decide/tree/?answers=${answers}`);
			expect(await axe(page, { include: 'kb-decision-tree' }), answers).toEqual([]);
		}
	}
});
