import { wordDiff } from '../../lib/word-diff';

/**
 * Loaded only when an answer is opened from a link made at an older revision (`?rev=N`): fetches
 * the answer's history and says, above the answer, what changed since the link was made.
 */

interface Revision {
	rev: number;
	date: string;
	label: string;
	summary: string;
	text: string;
}

const h = (tag: string, text?: string, cls?: string) => {
	const e = document.createElement(tag);
	if (text !== undefined) e.textContent = text;
	if (cls) e.className = cls;
	return e;
};

async function show(): Promise<void> {
	const host = document.querySelector<HTMLElement>('[data-revision-notice]');
	const rev = Number(new URLSearchParams(location.search).get('rev'));
	if (!host || !host.dataset['history']) return;
	const res = await fetch(host.dataset['history']);
	if (!res.ok) return;
	const { revisions } = (await res.json()) as { revisions: Revision[] };
	const then = revisions.find((r) => r.rev === rev);
	const now = revisions[revisions.length - 1];
	if (!then || !now || then.rev >= now.rev) return;

	const title = h('h2', 'This answer changed after your link was made', 'notice-title');
	title.id = 'revision-notice-title';
	host.setAttribute('aria-labelledby', title.id);
	const lead = h(
		'p',
		`Your link points to revision ${then.rev} of ${then.label}; this is revision ${now.rev} of ${now.label}. What changed since:`
	);
	const list = h('ul', undefined, 'notice-changes');
	for (const r of revisions.filter((x) => x.rev > then.rev)) {
		const li = h('li');
		li.append(h('strong', `${r.label}, revision ${r.rev}: `), r.summary);
		list.append(li);
	}
	const details = h('details');
	details.append(h('summary', `Show revision ${then.rev} and what changed`));
	const diff = h('pre', undefined, 'revision-diff');
	for (const part of wordDiff(then.text, now.text))
		diff.append(part.type === 'same' ? part.text : h(part.type, part.text));
	details.append(
		h('p', 'Struck through: text that was removed. Highlighted: text that was added.', 'diff-key'),
		diff
	);
	const more = h('p');
	const link = document.createElement('a');
	link.href = host.dataset['historyPage'] ?? '';
	link.textContent = 'Every revision of this answer';
	more.append(link);
	host.replaceChildren(title, lead, list, details, more);
	host.hidden = false;
}

void show();
