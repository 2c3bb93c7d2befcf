import { loadSearch } from './load';
import type { Panel } from './panel';

/**
 * Wires a panel that sits on the page (the search and 404 pages): the code loads at the first
 * sign of intent (a key, the pointer, focus, a filter, Enter) or at once when the address carries
 * `?q=`. Enter pressed before the code arrives is searched when it arrives, not sent to the
 * search page; without JavaScript the form still goes there.
 */
export function attachOnIntent(panel: HTMLElement, base: string): void {
	const input = panel.querySelector<HTMLInputElement>('input[type="search"]');
	const form = panel.querySelector('form');
	if (!input) return;
	let attached: Promise<Panel> | undefined;
	const start = () =>
		(attached ??= loadSearch().then((m) => {
			m.warm(base);
			// From now on the panel's own code answers Enter.
			form?.removeEventListener('submit', onSubmit);
			return m.attach(panel, base);
		}));
	const onSubmit = (e: Event) => {
		e.preventDefault();
		void start().then(
			(p) => {
				p.run();
			},
			() => {
				form?.submit();
			}
		);
	};
	form?.addEventListener('submit', onSubmit, { once: true });
	for (const type of ['keydown', 'input', 'focus', 'pointerenter', 'pointerdown'] as const)
		input.addEventListener(type, () => void start(), { once: true });
	panel.addEventListener('change', () => void start(), { once: true });
	if (new URLSearchParams(location.search).has('q')) void start();
}
