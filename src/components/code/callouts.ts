/**
 * Numbered callouts in annotated manifests. Server-rendered as links to the note list under
 * the block (that works without JavaScript); upgraded here to buttons that open the note
 * beside the line.
 */
export function upgradeCallouts(host: HTMLElement): void {
	const links = [...host.querySelectorAll<HTMLAnchorElement>('a.callout')];
	if (links.length === 0) return;
	const bubble = document.createElement('div');
	bubble.className = 'note-bubble';
	bubble.hidden = true;
	bubble.setAttribute('role', 'note');
	host.append(bubble);
	let open: HTMLButtonElement | undefined;

	const close = (returnFocus: boolean) => {
		if (!open) return;
		open.setAttribute('aria-expanded', 'false');
		if (returnFocus) open.focus();
		open = undefined;
		bubble.hidden = true;
	};

	for (const link of links) {
		const noteId = decodeURIComponent(link.hash.slice(1));
		const button = document.createElement('button');
		button.type = 'button';
		button.className = 'callout';
		button.textContent = link.textContent;
		button.setAttribute('aria-label', link.getAttribute('aria-label') ?? 'Note');
		button.setAttribute('aria-expanded', 'false');
		button.dataset['noteId'] = noteId;
		link.replaceWith(button);
		button.addEventListener('click', (event) => {
			event.stopPropagation();
			if (open === button) {
				close(false);
				return;
			}
			close(false);
			const note = document.getElementById(noteId);
			bubble.id = `${noteId}-bubble`;
			bubble.innerHTML = `${note?.innerHTML ?? ''} <a href="#${noteId}">Link to this note</a>`;
			bubble.hidden = false;
			const h = host.getBoundingClientRect();
			const b = button.getBoundingClientRect();
			bubble.style.insetBlockStart = `${b.bottom - h.top + 6}px`;
			const width = bubble.offsetWidth;
			bubble.style.insetInlineStart = `${Math.max(8, Math.min(b.left - h.left - 16, h.width - width - 8))}px`;
			button.setAttribute('aria-expanded', 'true');
			button.setAttribute('aria-controls', bubble.id);
			open = button;
		});
	}
	host.addEventListener('keydown', (e) => {
		if (e.key === 'Escape') close(true);
	});
	document.addEventListener('click', (e) => {
		if (open && !bubble.contains(e.target as Node)) close(false);
	});
}
