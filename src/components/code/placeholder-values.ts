import { listAnd } from '../../lib/format';
import { isSafeValue, placeholdersFromQuery } from '../../markdown/placeholders';
import { replaceParams } from '../../lib/url-state';

/**
 * The page's placeholder values live in three places that must agree: every `<var class="ph">`
 * in the commands, every input that edits one (a page can have several forms, one per FAQ
 * answer, plus fields a code block opens), and the address, so a shared link keeps them.
 */

const invalidMessage = 'Letters, digits and . _ : / = @ - only; no spaces.';

/** Sets one placeholder everywhere. An empty or unsafe value restores `<name>`; returns validity. */
export function setPlaceholder(name: string, raw: string, source?: HTMLInputElement): boolean {
	const value = raw.trim();
	const ok = value === '' || isSafeValue(value);
	const filled = ok && value !== '';
	for (const input of document.querySelectorAll<HTMLInputElement>(
		`input[data-ph="${CSS.escape(name)}"]`
	)) {
		if (input !== source && input.value !== raw) input.value = raw;
		input.setAttribute('aria-invalid', String(!ok));
		const errorId = input.getAttribute('aria-describedby');
		const error = errorId ? document.getElementById(errorId) : null;
		if (error) error.textContent = ok ? '' : invalidMessage;
	}
	for (const v of document.querySelectorAll<HTMLElement>(`var.ph[data-ph="${CSS.escape(name)}"]`)) {
		v.textContent = filled ? value : `<${name}>`;
		v.toggleAttribute('data-filled', filled);
	}
	replaceParams({ [`ph.${name}`]: filled ? value : null });
	document.dispatchEvent(new CustomEvent('kb:placeholder', { detail: { name, filled } }));
	return ok;
}

/** Fills every placeholder named in the address once, when the first form or block asks. */
let applied = false;
export function applyPlaceholdersFromUrl(): void {
	if (applied) return;
	applied = true;
	for (const [name, value] of Object.entries(placeholdersFromQuery(location.search)))
		setPlaceholder(name, value);
}

/** Names of the placeholders inside `root` that still show `<name>`, in order of appearance. */
export function unfilledPlaceholders(root: ParentNode): string[] {
	const names: string[] = [];
	for (const v of root.querySelectorAll<HTMLElement>('var.ph:not([data-filled])')) {
		const name = v.dataset['ph'];
		if (name && !names.includes(name)) names.push(name);
	}
	return names;
}

/** "<a>", "<a> and <b>", "<a>, <b> and <c>". */
export function listNames(names: string[]): string {
	return listAnd(names.map((n) => `<${n}>`));
}
