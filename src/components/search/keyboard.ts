/**
 * Arrow keys move through the results while focus stays in the field (the combobox pattern:
 * `aria-activedescendant` names the active option); Enter opens the active one, or the first.
 */
export function resultKeys(input: HTMLInputElement, list: HTMLUListElement): { reset(): void } {
	let active = -1;
	const options = () => [...list.querySelectorAll<HTMLAnchorElement>('a[role="option"]')];
	const setActive = (i: number) => {
		const all = options();
		active = all.length === 0 ? -1 : (i + all.length) % all.length;
		all.forEach((a, n) => a.setAttribute('aria-selected', String(n === active)));
		const current = all[active];
		if (current) {
			input.setAttribute('aria-activedescendant', current.id);
			current.scrollIntoView({ block: 'nearest' });
		} else input.removeAttribute('aria-activedescendant');
	};
	input.addEventListener('keydown', (e) => {
		if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
			e.preventDefault();
			setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
		} else if (e.key === 'Enter') {
			const target = options()[Math.max(active, 0)];
			if (target) {
				e.preventDefault();
				target.click();
			}
		}
	});
	return {
		/** New results: nothing is active. */
		reset() {
			active = -1;
			input.removeAttribute('aria-activedescendant');
		},
	};
}
