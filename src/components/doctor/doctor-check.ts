import findingsCssUrl from './findings.css?url';
import { announce, confirmCopy, copyText } from '../code/copy';
import { checkText, rules } from '../../lib/doctor/index.ts';
import { findingsMarkdown, linkFor } from '../../lib/doctor/links.ts';
import type { Finding } from '../../lib/doctor/types.ts';
import {
	emptyMessage,
	fileProblem,
	lineRange,
	sortFindings,
	summaryText,
	whereText,
	type DoctorHost,
} from './view';

/**
 * The doctor's behaviour and its checking engine (YAML parser, schemas, rules): one bundle that
 * ConfigDoctor.astro loads at the reader's first sign of intent. A standalone bundle has no
 * exports, so it defines `kb-doctor` itself; the element then takes over what the page's loader
 * kept (a Check click, a dropped file). Nothing typed or dropped leaves the page.
 */

const severityLabel = { error: 'Error', warning: 'Warning' } as const;
const titles = new Map(rules.map((r) => [r.id, r.title]));

if (!document.querySelector(`link[href="${findingsCssUrl}"]`)) {
	const link = document.createElement('link');
	link.rel = 'stylesheet';
	link.href = findingsCssUrl;
	document.head.append(link);
}

class Doctor extends HTMLElement {
	private findings: Finding[] = [];
	/** The file the field holds, until the reader edits it; the Markdown names it. */
	private fileName: string | undefined;
	private link = (see: string) => see;

	connectedCallback() {
		const input = this.field;
		const file = this.querySelector<HTMLInputElement>('#doctor-file');
		const zone = this.querySelector<HTMLElement>('[data-drop-zone]');
		if (!input || !file || !zone) return;
		const revs = JSON.parse(this.dataset['revs'] ?? '{}') as Record<string, number>;
		const base = this.dataset['base'] ?? '/';
		this.link = (see) => linkFor(see, { base, revs });

		input.addEventListener('input', () => {
			this.fileName = undefined;
			if (!this.results.hidden && this.results.dataset['state'] !== 'message')
				this.note('The text changed since this check: check again to update the findings.');
		});
		this.button('check').addEventListener('click', () => {
			this.check();
		});
		this.button('clear').addEventListener('click', () => {
			input.value = '';
			file.value = '';
			this.fileName = undefined;
			this.findings = [];
			this.results.hidden = true;
			this.note('');
			input.focus();
		});
		this.button('copy').addEventListener('click', (e) => {
			const absolute = (see: string) => new URL(this.link(see), location.href).href;
			const button = e.currentTarget as HTMLButtonElement;
			void copyText(findingsMarkdown(this.findings, absolute, this.fileName)).then((ok) => {
				confirmCopy(button, ok, 'Findings');
			});
		});
		file.addEventListener('change', () => {
			const chosen = file.files?.[0];
			if (chosen) void this.read(chosen);
		});
		zone.addEventListener('dragover', (e) => {
			if (!e.dataTransfer?.types.includes('Files')) return;
			e.preventDefault();
			e.dataTransfer.dropEffect = 'copy';
			zone.dataset['dragging'] = '';
		});
		zone.addEventListener('dragleave', () => delete zone.dataset['dragging']);
		zone.addEventListener('drop', (e) => {
			delete zone.dataset['dragging'];
			if (e.dataTransfer?.files.length) {
				e.preventDefault();
				this.drop(e.dataTransfer.files);
			}
		});

		// What the reader did while this code was on its way.
		const host = this as DoctorHost;
		if (host.droppedFiles) this.drop(host.droppedFiles);
		else if (file.files?.[0]) void this.read(file.files[0]);
		else if (this.dataset['pending'] === 'check') this.check();
		delete host.droppedFiles;
		delete this.dataset['pending'];
	}

	private get field() {
		return this.querySelector<HTMLTextAreaElement>('#doctor-input');
	}

	private get results(): HTMLElement {
		return this.querySelector<HTMLElement>('[data-results]') as HTMLElement;
	}

	private button(action: string): HTMLButtonElement {
		return this.querySelector<HTMLButtonElement>(`[data-action="${action}"]`) as HTMLButtonElement;
	}

	private note(text: string) {
		const note = this.querySelector<HTMLElement>('[data-note]');
		if (!note) return;
		note.textContent = text;
		note.hidden = !text;
	}

	private show(summary: string, state: 'message' | 'clean' | 'findings', items: HTMLElement[]) {
		this.results.hidden = false;
		this.results.dataset['state'] = state;
		const head = this.querySelector<HTMLElement>('[data-summary]');
		if (head) head.textContent = summary;
		this.querySelector('[data-findings]')?.replaceChildren(...items);
		this.button('copy').hidden = state === 'message';
		announce(summary);
	}

	/** Shows a message instead of findings: an empty field, a file that cannot be read. */
	private message(text: string) {
		this.findings = [];
		this.note('');
		this.show(text, 'message', []);
	}

	private drop(files: FileList) {
		const first = files[0];
		if (!first) return;
		void this.read(first).then(() => {
			if (files.length > 1) this.note(`Only ${first.name} was read: drop one file at a time.`);
		});
	}

	private async read(chosen: File) {
		const problem = fileProblem(chosen);
		const input = this.field;
		if (problem || !input) return this.message(problem ?? '');
		input.value = await chosen.text();
		this.check();
		this.fileName = chosen.name;
	}

	private check() {
		const text = this.field?.value ?? '';
		if (!text.trim()) {
			this.message(emptyMessage);
			this.field?.focus();
			return;
		}
		try {
			this.findings = sortFindings(checkText(text));
		} catch (error) {
			// A bug of the doctor, not of the YAML: say so rather than show nothing.
			return this.message(
				`The doctor could not check this text (${(error as Error).message}). Check a smaller part, or run it on the command line.`
			);
		}
		const n = this.findings.length;
		this.show(
			summaryText(this.findings),
			n ? 'findings' : 'clean',
			this.findings.map((f) => this.item(f))
		);
		this.note(
			n
				? ''
				: `None of the ${rules.length} rules matched. The doctor knows the rules listed below, not everything a cluster checks.`
		);
	}

	/** One finding: where, how bad (in words, not only colour), what happens, and why. */
	private item(f: Finding): HTMLLIElement {
		const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = '') => {
			const node = document.createElement(tag);
			node.className = cls;
			node.textContent = text;
			return node;
		};
		const li = el('li', 'doctor-finding');
		li.dataset['severity'] = f.severity;
		li.dataset['rule'] = f.rule;
		const head = el('p', 'finding-head');
		const where = el('button', 'finding-where', whereText(f));
		where.type = 'button';
		where.title = 'Select this line in the field';
		where.addEventListener('click', () => this.select(f.line));
		// Spaces between the parts, so that copied or spoken text does not run them together.
		head.append(el('span', `sev sev-${f.severity}`, severityLabel[f.severity]), ' ', where, ' ');
		head.append(el('code', 'finding-rule', f.rule));
		if (f.path) head.append(' ', el('code', 'finding-path', f.path));
		const see = el('p', 'finding-see');
		const link = el('a', '', `Why: ${titles.get(f.rule) ?? 'the explanation'}`);
		link.href = this.link(f.see);
		see.append(link);
		// Messages mark field names and values as `code`, as the Markdown copy shows them.
		const message = el('p', 'finding-message');
		message.append(
			...f.message.split(/`([^`]+)`/).map((part, i) => (i % 2 ? el('code', '', part) : part))
		);
		li.append(head, message, see);
		return li;
	}

	/** Selects a line of the field and scrolls to it, so the reader sees what a finding means. */
	private select(line: number) {
		const input = this.field;
		if (!input) return;
		const [start, end] = lineRange(input.value, line);
		input.focus();
		input.setSelectionRange(start, end);
		const height = parseFloat(getComputedStyle(input).lineHeight) || 24;
		input.scrollTop = Math.max(0, (line - 3) * height);
		input.scrollIntoView({ block: 'nearest' });
	}
}

customElements.define('kb-doctor', Doctor);
