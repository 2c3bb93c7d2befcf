/** What "Copy as Markdown" puts on the clipboard: the question as a link, then the short answer. */
export function faqMarkdown(question: string, url: string, summary: string): string {
	const safe = question.replace(/([[\]])/g, '\\$1');
	return `[${safe}](${url})\n\n> ${summary}\n`;
}
