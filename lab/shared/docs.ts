/** Links from a lab page (lab/NAME/) to the reference page docs/FILE.md that travels with the lab. */
export function docsHref(file: string): string {
  return `../docs/${file}`;
}

/** Turns every `<a data-docs="hopfield.md">` on the page into a working link to that reference page. */
export function linkDocs(root: ParentNode = document): void {
  for (const a of root.querySelectorAll<HTMLAnchorElement>("a[data-docs]")) a.href = docsHref(a.dataset.docs ?? "index.md");
}
