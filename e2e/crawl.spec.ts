import { readFileSync, readdirSync } from 'node:fs';
import { expect, test, type Page, type Request, type Response } from '@playwright/test';
import { axe, colourRules } from './axe';
import { builtPages } from './site';

/**
 * One visit per page checks everything that holds on every page, so the suite loads each page
 * once instead of once per check: CSP violations and console errors, requests to other hosts,
 * the CSS+JS budget before interaction (idle-time loads included), layout shift while the theme
 * and fonts settle, the one inline script, and axe in both themes: every rule in the dark theme
 * the page loads in, then the rules that read colours in the light theme (the themes differ only
 * in the values of custom properties; the first test below holds the CSS to that).
 */

const KB = 1024;
const budget = { total: 30 * KB, js: 12 * KB };
const notFound = 'no-such-page/';

interface Watch {
	problems: string[];
	foreign: string[];
	sizes: { css: number; js: number };
	pending: Promise<void>[];
	inFlight: Set<Request>;
}

/**
 * Listens to everything the page does from its first byte. One browser page visits a group of
 * pages in turn (a new context per page cost about a second of process start-up each on this
 * machine), so `next()` starts a fresh record for each visit.
 */
async function watch(page: Page, own: string, cached: boolean): Promise<() => Watch> {
	let w: Watch;
	const next = () =>
		(w = { problems: [], foreign: [], sizes: { css: 0, js: 0 }, pending: [], inFlight: new Set() });
	next();
	// Behind nginx the site's CSS and JS are immutable, so a page after the group's first takes
	// them from the cache, as a reader's next page does, and a response from the cache still gives
	// its body to count (7 % less CPU on 56 pages, three runs each). The preview server answers a
	// cached file with 304, whose body cannot be read: there every visit is a first visit.
	if (!cached) {
		const cdp = await page.context().newCDPSession(page);
		await cdp.send('Network.enable');
		await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
	}
	await page.addInitScript(() => {
		// A saved dark theme is the case that could flash or shift; light is audited after.
		localStorage.setItem('kb-theme', 'dark');
		const win = window as unknown as { cls: number; shifted: string[] };
		win.cls = 0;
		win.shifted = [];
		new PerformanceObserver((list) => {
			type Shift = PerformanceEntry & {
				value: number;
				sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[];
			};
			for (const e of list.getEntries() as Shift[]) {
				win.cls += e.value;
				for (const s of e.sources) {
					const el =
						s.node instanceof Element
							? `${s.node.tagName}.${s.node.className}`
							: (s.node?.nodeName ?? '?');
					win.shifted.push(
						`${el} ${Math.round(s.previousRect.x)},${Math.round(s.previousRect.y)} -> ${Math.round(s.currentRect.x)},${Math.round(s.currentRect.y)}`
					);
				}
			}
		}).observe({ type: 'layout-shift', buffered: true });
		document.addEventListener('securitypolicyviolation', (e) => {
			console.error(
				`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`
			);
		});
	});
	page.on('console', (m) => {
		// Chrome reports the 404 page's own status as an error; that one is the point of the page.
		const ownStatus = m.text().includes('status of 404') && m.location().url.endsWith(notFound);
		if (m.type() === 'error' && !ownStatus) w.problems.push(m.text());
	});
	page.on('pageerror', (e) => w.problems.push(e.message));
	page.on('request', (req) => {
		w.inFlight.add(req);
		const url = new URL(req.url());
		if (url.protocol !== 'data:' && url.host !== own) w.foreign.push(req.url());
	});
	page.on('requestfinished', (req) => w.inFlight.delete(req));
	page.on('requestfailed', (req) => w.inFlight.delete(req));
	page.on('response', (r: Response) => {
		const type = r.request().resourceType();
		if (type !== 'script' && type !== 'stylesheet') return;
		const { sizes, problems } = w;
		w.pending.push(
			r
				.body()
				.then((b) => {
					sizes[type === 'script' ? 'js' : 'css'] += b.length;
				})
				.catch((e: unknown) => {
					problems.push(`size of ${r.url()} unknown: ${String(e)}`);
				})
		);
	});
	return next;
}

/**
 * The page has gone idle (requestIdleCallback work included) and every request it started has
 * ended, twice over: idle-time work may start a load that starts another. Cheaper than
 * `networkidle`, which waits half a second on every page.
 */
async function settle(page: Page, w: Watch) {
	for (let round = 0; round < 2; round++) {
		await page.evaluate(
			() => new Promise((r) => requestIdleCallback(() => r(null), { timeout: 3000 }))
		);
		await expect.poll(() => w.inFlight.size, { intervals: [20, 50, 100] }).toBe(0);
	}
}

test('the themes differ only in custom properties, so the second theme needs only the colour rules', () => {
	const dir = 'dist/_astro';
	const css = readdirSync(dir)
		.filter((f) => f.endsWith('.css'))
		.map((f) => readFileSync(`${dir}/${f}`, 'utf8'))
		.join('\n');
	const themed = [...css.matchAll(/([^{}]*\[data-theme[^{}]*)\{([^{}]*)\}/g)];
	expect(themed.length, 'rules that select a theme').toBeGreaterThan(0);
	for (const [, selector, body] of themed) {
		const declarations = (body ?? '').split(';').filter((d) => d.trim());
		const other = declarations.filter((d) => !/^\s*(--[\w-]+|color-scheme)\s*:/.test(d));
		expect(other, `${selector?.trim()} sets more than custom properties`).toEqual([]);
	}
});

/** The chrome every page shares: header, guide navigation, footer. */
const chromeSelectors = ['.site-header', '#site-nav', '.site-footer'];

/** Each audit of a page, failing softly so one page's problem does not hide the next page's. */
async function audit(
	page: Page,
	path: string,
	w: Watch,
	audited: { chrome: Set<string>; sheets: Set<string> }
) {
	await page.goto(path, { waitUntil: 'load' });
	await settle(page, w);
	const on = (what: string) => `/${path}: ${what}`;
	// The 404 page suggests pages: audit it with the suggestions in place.
	if (path === notFound) await expect(page.locator('[data-closest]')).not.toContainText('Looking');

	// What the page says of itself once its fonts are in, in one round trip: inline scripts,
	// layout shift, and the chrome and style sheets the audits below compare with the group's
	// earlier pages.
	const seen = await page.evaluate(async (selectors) => {
		await document.fonts.ready;
		const win = window as unknown as { cls: number; shifted: string[] };
		return {
			inline: document.querySelectorAll(
				'script:not([src]):not([type="module"]):not([type="application/json"]):not([type="application/ld+json"])'
			).length,
			cls: win.cls,
			shifted: win.shifted,
			chrome: selectors
				.map((s) => document.querySelector(s)?.outerHTML ?? '')
				.join('\n')
				.replaceAll(' aria-current="page"', ''),
			sheets: [...document.styleSheets]
				.map((s) => s.href ?? s.ownerNode?.textContent ?? '')
				.join('\n'),
		};
	}, chromeSelectors);

	await Promise.all(w.pending);
	if (path !== notFound) {
		const { css, js } = w.sizes;
		expect
			.soft(css + js, on(`CSS ${css} B + JS ${js} B before interaction`))
			.toBeLessThanOrEqual(budget.total);
		expect.soft(js, on('JS before interaction')).toBeLessThanOrEqual(budget.js);
		// Every page has the layout's style sheet: none counted would mean the budget read nothing.
		expect.soft(css, on('CSS counted')).toBeGreaterThan(0);
		expect.soft(seen.inline, on('inline scripts (only the theme script)')).toBe(1);
	}

	const { cls, shifted, chrome, sheets } = seen;
	// Chrome sometimes paints a half-parsed header a few pixels off (about 0.00002) on a
	// loaded machine; anything a reader could notice is far above a thousandth.
	expect.soft(cls, on(`layout shift: ${shifted.join('; ')}`)).toBeLessThan(0.001);

	// The site's chrome is audited whole once per group; on the group's other pages it is skipped
	// when its markup is what was audited, but for which link is marked as the current page (that
	// link's style was audited on the first page). About 40 % of axe's time on an answer went to
	// the same 185 elements of chrome on every page.
	const skip = audited.chrome.has(chrome) ? { exclude: chromeSelectors } : {};
	audited.chrome.add(chrome);
	// css-orientation-lock reads only the page's style sheets, never its elements, and most pages
	// share theirs: about 70 ms of every full audit went to the same sheets.
	const disable = audited.sheets.has(sheets) ? ['css-orientation-lock'] : [];
	audited.sheets.add(sheets);
	expect.soft(await axe(page, { ...skip, disable }), on('axe, dark theme')).toEqual([]);
	// By CSS rather than by role: a role query walks the accessibility tree of the whole page,
	// 50 to 160 ms on the long ones; the control's name and role are axe's to check, just above.
	await page.locator('kb-theme-select select').selectOption('light');
	await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
	expect
		.soft(await axe(page, { rules: colourRules, ...skip }), on('axe colour rules, light theme'))
		.toEqual([]);

	expect.soft(w.foreign, on('requests to other hosts')).toEqual([]);
	expect.soft(w.problems, on('console errors, CSP violations and unread sizes')).toEqual([]);
}

// Groups of eight: the two workers share the walk, and a failure names its page.
const all = [...builtPages(), notFound];
const size = 8;
for (let from = 0; from < all.length; from += size) {
	const group = all.slice(from, from + size);
	test(`pages ${from + 1} to ${from + group.length} of ${all.length} (/${group[0]} …): clean console, CSP, requests, budget, layout and axe in both themes`, async ({
		page,
		baseURL,
	}) => {
		// Axe on the longest pages (the FAQ list is 200 KB of HTML) on a busy two-core machine.
		test.setTimeout(600_000);
		const behindNginx = test.info().project.metadata['server'] === 'nginx';
		const next = await watch(page, new URL(baseURL ?? '').host, behindNginx);
		const audited = { chrome: new Set<string>(), sheets: new Set<string>() };
		// The first document of a fresh context sometimes gets no idle period at all (measured: 3
		// to 6 of 20 fresh contexts when no service worker runs; 0 of 80 after this visit), so its
		// settle() waited out both 3 s timeouts: 3 to 6 s on a quarter of the groups.
		await page.goto('llms.txt');
		for (const path of group) await audit(page, path, next(), audited);
	});
}
