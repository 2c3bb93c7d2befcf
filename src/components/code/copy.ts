/**
 * Copies text. The async Clipboard API only exists in secure contexts, and intranet mirrors are
 * often plain http, so this falls back to selecting a hidden textarea and `execCommand('copy')`.
 */
export async function copyText(text: string): Promise<boolean> {
	if (navigator.clipboard && window.isSecureContext) {
		try {
			await navigator.clipboard.writeText(text);
			return true;
		} catch {
			// Permission denied or document not focused: try the selection route below.
		}
	}
	const area = document.createElement('textarea');
	area.value = text;
	area.setAttribute('readonly', '');
	area.className = 'copy-buffer';
	document.body.append(area);
	const active = document.activeElement as HTMLElement | null;
	area.select();
	let ok: boolean;
	try {
		ok = document.execCommand('copy');
	} catch {
		ok = false;
	}
	area.remove();
	active?.focus();
	return ok;
}

/** Says something to screen-reader users through the page's one live region. */
export function announce(message: string): void {
	const region = document.getElementById('kb-announcer');
	if (!region) return;
	region.textContent = '';
	// A fresh text node after clearing makes screen readers repeat an identical message.
	requestAnimationFrame(() => {
		region.textContent = message;
	});
}

/** Shows "Copied" (or "Copy failed") on a button for two seconds and announces it. */
export function confirmCopy(button: HTMLElement, ok: boolean, what = 'Code'): void {
	const label = button.querySelector('.copy-label') ?? button;
	const original = label.textContent;
	label.textContent = ok ? 'Copied' : 'Copy failed';
	button.dataset['state'] = ok ? 'copied' : 'failed';
	announce(
		ok
			? `${what} copied to the clipboard`
			: `${what} could not be copied; select it and copy by hand`
	);
	setTimeout(() => {
		label.textContent = original;
		delete button.dataset['state'];
	}, 2000);
}

/** The runnable text of a code block: what the reader sees, without callout markers. */
export function codeText(block: Element): string {
	const code = block.querySelector('pre code');
	if (!code) return '';
	const clone = code.cloneNode(true) as Element;
	for (const marker of clone.querySelectorAll('.callout')) marker.remove();
	return (clone.textContent ?? '').replace(/\n+$/, '');
}
